# Copyright (c) mmpixpro contributors. All rights reserved.
"""Every config under configs/ parses and builds its model."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from pixpro_testing import ROOT

from mmpixpro.registry import MODELS

CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p and 'benchmarks' not in p)


def test_configs_found():
    assert len(CONFIGS) >= 3


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_builds_its_model(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpixpro'
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    assert sum(p.numel() for p in model.parameters()) > 0
    # the dataset root can be overridden from the command line
    cfg.merge_from_dict({'train_dataloader.dataset.data_root': '/x'})
    assert cfg.train_dataloader.dataset.data_root == '/x'


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, ROOT))
def test_config_passes_the_config_check(path):
    from mmpixpro.utils import check_config
    check_config(Config.fromfile(path))  # raises ConfigError on a problem


def test_config_names_are_unique():
    # `mim train mmpixpro NAME.py` finds a shipped config by its file name:
    # a base of the same name would be trained instead
    names = [osp.basename(p) for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)]
    for path in CONFIGS:
        assert names.count(osp.basename(path)) == 1, path
