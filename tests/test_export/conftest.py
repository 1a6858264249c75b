# Copyright (c) mmpixpro contributors. All rights reserved.
"""Tiny PixPro models made by the tests themselves (built once)."""
import pytest
import torch
from pixpro_testing import build_trained_like_pixpro


@pytest.fixture(scope='package')
def pixpro_r50():
    torch.manual_seed(0)
    return build_trained_like_pixpro(50)


@pytest.fixture(scope='package')
def pixpro_r18():
    torch.manual_seed(0)
    return build_trained_like_pixpro(18)
