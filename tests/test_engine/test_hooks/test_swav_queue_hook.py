# Copyright (c) mmpixpro contributors. All rights reserved.
"""SwAVQueueHook: the queue goes with the checkpoint, never through
``queue*.pth`` files; a fresh start has an empty queue. (That a resumed run
continues the queue exactly: tests/test_reliability/test_exact_resume.py.)
"""
import logging
import os
from types import SimpleNamespace

import torch
from mmpretrain.models.losses import SwAVLoss
from torch import nn

from mmpixpro.engine.hooks import SwAVQueueHook
from mmpixpro.registry import HOOKS

BATCH, LENGTH, DIM = 2, 6, 4  # queue of 6 (3 batches), 4-d embeddings


class TinySwAV(nn.Module):
    """Just what the hook reads: ``head.loss_module`` (mmpretrain's)."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Module()
        self.head.loss_module = SwAVLoss(feat_dim=DIM, num_prototypes=3)


def fake_runner(work_dir, epoch=0, resume=False):
    return SimpleNamespace(model=TinySwAV(), work_dir=str(work_dir),
                           epoch=epoch, world_size=1, _resume=resume,
                           logger=logging.getLogger('swav_queue_test'))


def hook(**kwargs):
    return HOOKS.build(dict(type='SwAVQueueHook', batch_size=BATCH,
                            epoch_queue_starts=0, feat_dim=DIM,
                            queue_length=LENGTH, **kwargs))


def test_fresh_start_ignores_stale_queue_files(tmp_path):
    stale = torch.ones(2, LENGTH, DIM)
    for name in ('queue0.pth', 'queue.pth'):  # distributed, single
        torch.save({'queue': stale}, tmp_path / name)
    before = {n: os.path.getmtime(tmp_path / n) for n in os.listdir(tmp_path)}
    h, runner = hook(), fake_runner(tmp_path)
    assert isinstance(h, SwAVQueueHook) and h.priority == 'VERY_HIGH'
    h.before_run(runner)
    h.before_train_epoch(runner)
    loss = runner.model.head.loss_module
    assert loss.queue.shape == (2, LENGTH, DIM)
    assert not loss.queue.any()  # empty, not the stale file's ones
    assert loss.use_queue is False
    loss.queue.fill_(0.5)  # the loss fills it in training
    h.after_train_epoch(runner)
    # no queue file written or touched
    assert {n: os.path.getmtime(tmp_path / n)
            for n in os.listdir(tmp_path)} == before


def test_queue_goes_with_the_checkpoint_and_back_on_resume(tmp_path):
    h, runner = hook(), fake_runner(tmp_path)
    h.before_run(runner)
    checkpoint = {}
    h.before_save_checkpoint(runner, checkpoint)
    assert 'swav_queue' not in checkpoint  # before the queue starts
    h.before_train_epoch(runner)
    queue = torch.randn(2, LENGTH, DIM)
    runner.model.head.loss_module.queue.copy_(queue)
    h.before_save_checkpoint(runner, checkpoint)
    assert torch.equal(checkpoint['swav_queue'], queue[None])  # (W,A,L,D)

    # resumed: the queue of the checkpoint, used from its first iteration
    h2, resumed = hook(), fake_runner(tmp_path / 'other', resume=True)
    h2.before_run(resumed)
    h2.after_load_checkpoint(resumed, checkpoint)
    h2.before_train_epoch(resumed)
    assert torch.equal(resumed.model.head.loss_module.queue, queue)
    # weights only (load_from without resume): a new run, an empty queue
    h3, loaded = hook(), fake_runner(tmp_path / 'new', resume=False)
    h3.before_run(loaded)
    h3.after_load_checkpoint(loaded, checkpoint)
    h3.before_train_epoch(loaded)
    assert not loaded.model.head.loss_module.queue.any()


def test_queue_of_another_shape_is_not_restored(tmp_path, caplog):
    checkpoint = {'swav_queue': torch.ones(1, 2, LENGTH + 2, DIM)}
    h, runner = hook(), fake_runner(tmp_path, resume=True)
    h.before_run(runner)
    with caplog.at_level(logging.WARNING, logger='swav_queue_test'):
        h.after_load_checkpoint(runner, checkpoint)
    assert '(1, 2, 8, 4)' in caplog.text and '(1, 2, 6, 4)' in caplog.text
    h.before_train_epoch(runner)
    assert not runner.model.head.loss_module.queue.any()


def test_every_rank_queue_in_the_checkpoint(tmp_path, monkeypatch):
    # 2 ranks simulated: rank 0 saves both queues (gathered after each
    # iteration), rank 1 takes its own on resume
    module = 'mmpixpro.engine.hooks.swav_queue_hook'
    monkeypatch.setattr(f'{module}.get_world_size', lambda: 2)
    monkeypatch.setattr(f'{module}.all_gather', lambda t: [t, t + 1])
    h, runner = hook(), fake_runner(tmp_path)
    runner.world_size = 2
    h.before_run(runner)
    h.before_train_epoch(runner)
    loss = runner.model.head.loss_module
    assert loss.queue.shape == (2, LENGTH // 2, DIM)  # L / W per rank
    queue = torch.randn(2, LENGTH // 2, DIM)
    loss.queue.copy_(queue)
    h.after_train_iter(runner, 0)
    checkpoint = {}
    h.before_save_checkpoint(runner, checkpoint)
    assert torch.equal(checkpoint['swav_queue'],
                       torch.stack([queue, queue + 1]))
    monkeypatch.setattr(f'{module}.get_rank', lambda: 1)
    h2, resumed = hook(), fake_runner(tmp_path, resume=True)
    resumed.world_size = 2
    h2.before_run(resumed)
    h2.after_load_checkpoint(resumed, checkpoint)
    h2.before_train_epoch(resumed)
    assert torch.equal(resumed.model.head.loss_module.queue, queue + 1)
