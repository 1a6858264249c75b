# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fixtures of every test folder; helpers are in ``pixpro_testing``."""
import os

import pytest
import torch
from pixpro_testing import make_images


# Under pytest-xdist (``make test`` runs 2 workers on the 2-core CI
# machine) each worker and the training subprocesses it starts use one
# thread: two workers with two threads each would oversubscribe the cores.
XDIST_WORKER = os.environ.get('PYTEST_XDIST_WORKER')
if XDIST_WORKER:
    os.environ['OMP_NUM_THREADS'] = '1'


@pytest.fixture(scope='session', autouse=True)
def mmpixpro_scope():
    """Register every module and make ``mmpixpro`` the default scope."""
    from mmpixpro.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    torch.set_num_threads(1 if XDIST_WORKER else 2)
    yield


@pytest.fixture(autouse=True)
def keep_default_scope():
    """Restore mmengine's current default scope after each test: a Runner
    of another library's config (e.g. mmpretrain's ``default_scope``)
    makes its scope the current one for every later build."""
    from mmengine.registry import DefaultScope
    instances = dict(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(instances)


@pytest.fixture
def tiny_image_root(tmp_path):
    """A folder (``images/``) with one class folder of four small
    structured RGB JPEGs (gradients + a square)."""
    return make_images(tmp_path / 'images' / 'class_a', 4).parent
