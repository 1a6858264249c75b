# Copyright (c) mmpixpro contributors. All rights reserved.
"""``--epochs``: the schedule stretches, the warm-up keeps its length."""
import pytest
from mmengine.config import Config
from pixpro_testing import DEMO, ROOT

from mmpixpro.utils import set_max_epochs

PAPER = f'{ROOT}/configs/pixpro/pixpro_r50_8xb128.py'


def test_demo_schedule_stretched_to_48_epochs():
    cfg = set_max_epochs(Config.fromfile(DEMO), 48)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.begin, warmup.end) == (0, 1)
    assert (cosine.begin, cosine.end, cosine.T_max) == (1, 48, 47)
    assert cfg.train_cfg.max_epochs == 48
    assert cfg.default_hooks.checkpoint.interval == 48


def test_paper_schedule_shortened_keeps_warmup():
    cfg = set_max_epochs(
        Config.fromfile(PAPER), 20)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.begin, warmup.end) == (0, 5)
    assert (cosine.begin, cosine.end, cosine.T_max) == (5, 20, 15)
    # its checkpoint interval (10) was not the run length: kept
    assert cfg.default_hooks.checkpoint.interval == 10


def test_too_short_for_the_warmup_is_refused():
    cfg = Config.fromfile(PAPER)
    with pytest.raises(ValueError, match='LinearLR ends at epoch 5'):
        set_max_epochs(cfg, 5)


def test_iteration_based_run_is_refused():
    with pytest.raises(ValueError, match='epoch-based'):
        set_max_epochs(Config(dict(train_cfg=dict(max_iters=10))), 3)
