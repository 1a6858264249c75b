# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest

from pixpro_testing import make_images


@pytest.fixture
def tiny_image_root(tmp_path):
    return make_images(tmp_path / 'images' / 'class_a', 4).parent
