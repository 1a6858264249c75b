# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fixtures of every test folder; helpers are in ``pixpro_testing``."""
import pytest
import torch
from pixpro_testing import make_images


@pytest.fixture(scope='session', autouse=True)
def mmpixpro_scope():
    """Register every module and make ``mmpixpro`` the default scope."""
    from mmpixpro.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(2)
    yield


@pytest.fixture
def tiny_image_root(tmp_path):
    """A folder (``images/``) with one class folder of four small
    structured RGB JPEGs (gradients + a square)."""
    return make_images(tmp_path / 'images' / 'class_a', 4).parent
