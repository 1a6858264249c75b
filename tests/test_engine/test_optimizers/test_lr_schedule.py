# Copyright (c) mmpixpro contributors. All rights reserved.
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import PARAM_SCHEDULERS
from pixpro_testing import ROOT

CONFIGS = osp.join(ROOT, 'configs')


def lr_trace(config: str, epoch_length: int, base_lr: float):
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base_lr)
    schedulers = [
        PARAM_SCHEDULERS.build(
            s, default_args=dict(optimizer=opt, epoch_length=epoch_length))
        for s in cfg.param_scheduler
    ]
    total = cfg.train_cfg.max_epochs * epoch_length
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        for s in schedulers:
            s.step()
    lrs.append(opt.param_groups[0]['lr'])  # after the last iteration
    return lrs


@pytest.mark.parametrize('config,epochs', [
    ('pixpro/pixpro_r50_8xb128.py', 100),
    ('pixpro/pixpro_r50_8xb128-400e_in1k.py', 400),
])
def test_warmup_then_cosine(config, epochs):
    base_lr, epoch_length = 4.0, 10
    lrs = lr_trace(config, epoch_length, base_lr)
    assert len(lrs) == epochs * epoch_length + 1
    warm = 5 * epoch_length
    assert lrs[0] == pytest.approx(base_lr / 100)  # warm-up start: lr/100
    # linear in the iteration, reaching the full lr at the last warm-up
    # iteration (mmengine's LinearLR): lr_k = lr (0.01 + 0.99 k / (W - 1))
    for k in (1, warm // 2, warm - 2):
        expected = base_lr * (0.01 + 0.99 * k / (warm - 1))
        assert lrs[k] == pytest.approx(expected, rel=1e-6)
    assert lrs[warm - 1] == pytest.approx(base_lr)  # warm-up end: full lr
    assert lrs[warm] == pytest.approx(base_lr)  # cosine starts at full lr
    # cosine half way through the rest
    mid = warm + (epochs - 5) * epoch_length // 2
    assert lrs[mid] == pytest.approx((base_lr + 1e-6) / 2, rel=1e-6)
    # the end: the last iteration k = K - 1 is at cosine step T - 1 of T,
    # i.e. 1e-6 + (lr - 1e-6) (1 + cos(pi (T - 1) / T)) / 2 -> 1e-6
    num_cos = (epochs - 5) * epoch_length
    k = epochs * epoch_length - 1
    expected = 1e-6 + (base_lr - 1e-6) * (
        1 + math.cos(math.pi * (num_cos - 1) / num_cos)) / 2
    assert lrs[k] == pytest.approx(expected, rel=1e-6)
    assert lrs[k] < 1e-6 + base_lr * (math.pi / num_cos)**2


def test_lr_scales_with_batch():
    cfg = Config.fromfile(osp.join(CONFIGS, 'pixpro/pixpro_r50_8xb128.py'))
    assert cfg.optim_wrapper.optimizer.lr == 1.0
    assert cfg.auto_scale_lr == dict(base_batch_size=256, enable=True)
    # 8 GPUs x 128 -> 1.0 x 1024 / 256 = 4.0 (mmengine scales by the ratio)
    batch = 8 * cfg.train_dataloader.batch_size
    assert cfg.optim_wrapper.optimizer.lr * batch / 256 == 4.0
