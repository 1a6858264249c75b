# Copyright (c) mmpixpro contributors. All rights reserved.
"""The two-view baselines (BYOL, MoCo v1/v2, DenseCL, SimCLR) declare the
views they take: the config check accepts their own configs and refuses a
multi-crop pipeline or two views of different sizes, naming the key."""
import os.path as osp

import pytest
from mmengine.config import Config
from pixpro_testing import ROOT

from mmpixpro.registry import MODELS
from mmpixpro.utils import ConfigError, check_config

MULTICROP = osp.join(ROOT, 'configs', '_base_', 'datasets',
                     'imagenet_multicrop.py')
# (config, model.type)
BASELINES = [
    ('byol/byol_r50_8xb128.py', 'MomentumBYOL'),
    ('byol/byol_r18_demo.py', 'MomentumBYOL'),
    ('mocov1/mocov1_r50_8xb32-200e_in1k.py', 'MomentumMoCo'),
    ('mocov1/mocov1_r18_demo.py', 'MomentumMoCo'),
    ('mocov2/mocov2_r50_8xb128.py', 'MomentumMoCo'),
    ('densecl/densecl_r50_8xb128.py', 'MomentumDenseCL'),
    ('densecl/densecl_r18_demo.py', 'MomentumDenseCL'),
    ('simclr/simclr_r50_16xb256-coslr-200e_in1k.py', 'SimCLR'),
    ('simclr/simclr_r18_demo.py', 'SimCLR'),
]
KEY = 'train_dataloader.dataset.pipeline[1]'


def load(config: str, type_: str) -> Config:
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config))
    assert cfg.model.type == type_
    return cfg


@pytest.mark.parametrize('type_', sorted({t for _, t in BASELINES}))
def test_declared_two_views_of_one_size(type_):
    assert MODELS.get(type_).supported_views == dict(num_views=2,
                                                     same_size=True)


@pytest.mark.parametrize('config,type_', BASELINES)
def test_own_config_accepted_multicrop_refused(config, type_):
    cfg = load(config, type_)
    check_config(cfg)  # its own two views of one size pass
    cfg.train_dataloader.dataset.pipeline = Config.fromfile(
        MULTICROP).train_pipeline
    with pytest.raises(ConfigError) as error:
        check_config(cfg)
    message = str(error.value)
    assert (f'{KEY} (MultiViewTransform) makes 2 x 224x224 + 6 x 96x96: '
            '8 views where it takes 2') in message
    assert f"model.type={type_!r}" in message


@pytest.mark.parametrize('config,type_', BASELINES[2:4] + BASELINES[-2:])
def test_two_views_of_different_sizes_refused(config, type_):
    cfg = load(config, type_)
    views = cfg.train_dataloader.dataset.pipeline[1].view_pipelines
    views[1] = [dict(views[1][0], size=96)] + list(views[1][1:])
    with pytest.raises(ConfigError) as error:
        check_config(cfg)
    assert (f'{KEY} (TwoViewTransform) makes ' in str(error.value)
            and 'views of different sizes where it takes views of one size'
            in str(error.value))
