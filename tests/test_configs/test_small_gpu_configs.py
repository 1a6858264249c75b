# Copyright (c) mmpixpro contributors. All rights reserved.
"""The small-GPU configs: the paper's recipe per optimiser step (batch 1024,
lr 4.0) through gradient accumulation; they train on CPU when shrunk."""
import glob
import json
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from pixpro_testing import ROOT, make_images, read_log, tiny_run_cfg

from mmpixpro.engine.optimizers import effective_batch_size, lr_scale_factor
from mmpixpro.models.utils import cosine_momentum
from mmpixpro.registry import RUNNERS

PAPER = 'pixpro/pixpro_r50_8xb128.py'
# config, GPUs it is meant for, k
SMALL = [('pixpro/pixpro_r50_1xb64-accum16-100e_in1k.py', 1, 16),
         ('pixpro/pixpro_r50_2xb64-accum8-100e_in1k.py', 2, 8)]


def load(path: str) -> Config:
    return Config.fromfile(osp.join(ROOT, 'configs', path))


@pytest.mark.parametrize('path,gpus,k', SMALL)
def test_small_config_is_the_paper_recipe_per_optimizer_step(path, gpus, k):
    cfg, paper = load(path), load(PAPER)
    assert cfg.optim_wrapper.accumulative_counts == k
    assert cfg.train_dataloader.batch_size == 64
    batch = effective_batch_size(gpus, 64, k)
    paper_batch = effective_batch_size(8, paper.train_dataloader.batch_size)
    assert batch == paper_batch == 1024
    lr = cfg.optim_wrapper.optimizer.lr * lr_scale_factor(
        batch, cfg.auto_scale_lr.base_batch_size,
        cfg.auto_scale_lr.get('rule', 'linear'))
    assert lr == pytest.approx(4.0)
    # nothing else differs from the paper's config
    cfg.optim_wrapper.pop('accumulative_counts')
    cfg.train_dataloader.batch_size = paper.train_dataloader.batch_size
    assert cfg.to_dict() == paper.to_dict()


def shrunk(path: str, data_root, work_dir) -> Config:
    """The config at CPU scale: ResNet-18, 64 px crops, batch 1, its own
    accumulative_counts kept."""
    cfg = tiny_run_cfg(osp.join(ROOT, 'configs', path), data_root, work_dir,
                       max_epochs=2, batch_size=1, checkpoints=False)
    cfg.model.backbone.depth = 18
    cfg.model.neck.update(in_channels=512, hid_channels=64, out_channels=32)
    cfg.model.head.in_channels = 32
    for view in cfg.train_dataloader.dataset.pipeline[1].view_pipelines:
        view[0].size = 64  # RandomResizedCropWithBox
    return cfg


@pytest.mark.slow
@pytest.mark.parametrize('path,gpus,k', SMALL)
def test_small_config_trains_with_one_ema_step_per_update(
        path, gpus, k, tmp_path):
    # 12 images, batch 1, 2 epochs: K = 24 iterations; optimiser steps
    # after every k-th iteration and after the last one
    root = make_images(tmp_path / 'images' / 'a', 12).parent
    cfg = shrunk(path, root, tmp_path / 'work')
    runner = RUNNERS.build(cfg)
    init = runner.model.backbone.conv1.weight.detach().clone()
    runner.train()
    assert runner.iter == 24
    log = read_log(cfg.work_dir)
    assert f'effective batch {k} = 1 GPU(s) x 1 x {k} accumulated' in log
    rows = [json.loads(line) for line in open(glob.glob(
        str(tmp_path / 'work' / '*' / 'vis_data' / 'scalars.json'))[0])]
    rows = [r for r in rows if 'loss' in r]
    assert len(rows) == 24
    assert all(math.isfinite(r['loss']) for r in rows)
    steps = math.ceil(24 / k)
    for row in rows:  # logged iteration i + 1 trains iteration i
        step = (row['iter'] - 1) // k
        assert row['momentum'] == pytest.approx(
            cosine_momentum(step, steps, 0.99), abs=1e-9)
    model = runner.model
    assert not torch.equal(model.backbone.conv1.weight, init)
    assert not torch.allclose(model.backbone.conv1.weight,
                              model.target_net.module[0].conv1.weight)
