# Copyright (c) mmpixpro contributors. All rights reserved.
"""The Runner trains the demo config end to end on tiny images."""
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook

from pixpro_testing import (assert_tensors_equal, demo_cfg, last_run_rows,
                            rows_by_iter)

from mmpixpro.registry import RUNNERS

pytestmark = pytest.mark.slow  # trains through the Runner or a tool


def test_demo_config_trains_three_iterations(tiny_image_root, tmp_path):
    # 4 images, batch 2, drop_last -> 2 iterations per epoch; stop at 3
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work', max_epochs=2)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=3)
    # a constant lr of 0.125 (the demo's at batch 32): at random init the
    # loss is about 0 (the value transform g is a random conv), and it turns
    # negative as soon as the network learns
    cfg.auto_scale_lr.enable = False
    cfg.optim_wrapper.optimizer.lr = 0.125
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(
        type='SafeCheckpointHook', interval=3, by_epoch=False)
    runner = RUNNERS.build(cfg)
    runner.train()
    # extended through mmengine's extension points, never patched: the
    # Runner is our subclass, and no method of it or of the optimiser
    # wrapper was replaced on the instance
    assert type(runner).__name__ == 'SafeRunner'
    assert type(runner.optim_wrapper).__name__ == 'NonFiniteSkipOptimWrapper'
    for obj in (runner, runner.optim_wrapper):
        assert not [k for k, v in vars(obj).items() if callable(v)
                    and not isinstance(v, type) and k != '_hooks'
                    and hasattr(type(obj), k)]
    ckpt = osp.join(cfg.work_dir, 'iter_3.pth')
    assert osp.isfile(ckpt)
    rows = last_run_rows(cfg.work_dir)
    assert [r['iter'] for r in rows] == [1, 2, 3]
    losses = [r['loss'] for r in rows]
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < 0 and losses[-1] < losses[0]
    # the momentum follows the cosine schedule of the global iteration
    assert rows[0]['momentum'] == pytest.approx(0.99)
    # third iteration: k = 2 of K = 3, cos(2 pi / 3) = -0.5
    assert rows[2]['momentum'] == pytest.approx(1 - 0.01 * (-0.5 + 1) / 2)
    # written checkpoints load with torch's safe loader
    state = torch.load(ckpt, map_location='cpu', weights_only=True)
    assert any(k.startswith('backbone.') for k in state['state_dict'])
    assert any(k.startswith('target_net.') for k in state['state_dict'])


class Preempted(RuntimeError):
    pass


class PreemptAfterEpoch(Hook):
    """Kill the run after an epoch, once its checkpoint is written."""

    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        # runner.epoch is still 0-based here (the loop increments it after
        # this hook): epoch ``self.epoch`` (1-based) has just finished
        if runner.epoch + 1 == self.epoch:
            raise Preempted(f'pre-empted after epoch {self.epoch}')


class RecordBatches(Hook):
    """Record each iteration's image paths and a checksum of its inputs."""

    def __init__(self):
        self.batches = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        paths = [s.img_path for s in data_batch['data_samples']]
        boxes = [s.crop_boxes for s in data_batch['data_samples']]
        pixels = sum(float(view.double().sum())
                     for view in data_batch['inputs'])
        self.batches[runner.iter + 1] = (paths, pixels, torch.stack(
            [torch.as_tensor(b) for b in boxes]).double().sum().item())


def test_resume_continues_like_an_uninterrupted_run(tiny_image_root,
                                                     tmp_path):
    full = RUNNERS.build(demo_cfg(tiny_image_root, tmp_path / 'full', 3))
    full_batches = RecordBatches()
    full.register_hook(full_batches)
    full.train()
    # the same config, killed after epoch 2, then resumed
    cfg = demo_cfg(tiny_image_root, tmp_path / 'part', 3)
    killed = RUNNERS.build(cfg)
    part_batches = RecordBatches()
    killed.register_hook(part_batches)
    killed.register_hook(PreemptAfterEpoch(2))
    with pytest.raises(Preempted):
        killed.train()
    cfg = demo_cfg(tiny_image_root, tmp_path / 'part', 3)
    cfg.resume = True
    resumed = RUNNERS.build(cfg)
    resumed.register_hook(part_batches)
    resumed.train()
    assert resumed.iter == full.iter == 6
    # every iteration: same images, same augmentations, loss, lr, momentum
    assert part_batches.batches.keys() == full_batches.batches.keys()
    for it, (paths, pixels, boxes) in full_batches.batches.items():
        got = part_batches.batches[it]
        assert got[0] == paths, it
        assert got[1:] == pytest.approx((pixels, boxes), rel=1e-9), it
    full_rows = rows_by_iter(tmp_path / 'full')
    part_rows = rows_by_iter(tmp_path / 'part')
    assert sorted(part_rows) == sorted(full_rows) == [1, 2, 3, 4, 5, 6]
    for it in full_rows:
        for key in ('loss', 'lr', 'momentum'):
            assert part_rows[it][key] == pytest.approx(
                full_rows[it][key], rel=1e-6, abs=1e-7), (it, key)
    # online and momentum networks, optimizer state, momentum value
    fa, fb = full.model.state_dict(), resumed.model.state_dict()
    assert any(k.startswith('target_net.') for k in fa)
    assert_tensors_equal(fa, fb, 'model')
    assert_tensors_equal(full.optim_wrapper.state_dict(),
                        resumed.optim_wrapper.state_dict(), 'optimizer')
    assert full.model.momentum == pytest.approx(resumed.model.momentum,
                                                abs=1e-12)
    assert full.optim_wrapper.get_lr() == resumed.optim_wrapper.get_lr()


def test_torch_compile_option_gives_the_same_losses(tiny_image_root,
                                                    tmp_path):
    """``compile = dict(...)`` in a config (mmengine compiles train_step)."""
    losses = {}
    for name, compile_cfg in (('plain', None),
                              ('compiled', dict(backend='aot_eager'))):
        cfg = demo_cfg(tiny_image_root, tmp_path / name, max_epochs=1)
        if compile_cfg is not None:
            cfg.compile = compile_cfg
        RUNNERS.build(cfg).train()
        losses[name] = [r['loss'] for r in last_run_rows(tmp_path / name)]
    assert len(losses['plain']) == 2
    assert losses['compiled'] == pytest.approx(losses['plain'], abs=1e-5)
