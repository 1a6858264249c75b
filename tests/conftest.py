# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch


@pytest.fixture(scope='session', autouse=True)
def mmpixpro_scope():
    """Register every module and make ``mmpixpro`` the default scope."""
    from mmpixpro.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(2)
    yield
