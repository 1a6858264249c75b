# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/train.py --resume: 2 + stop + 3 iterations equal 5 uninterrupted.

The stop falls in the middle of the first epoch (6 images, batch 2, two
dataloader workers) and the resumed part crosses into the second, so the
data order, the per-sample augmentation randomness, the LR and momentum
schedules, the optimiser state and the message hub all have to be
restored, and the checkpoint has to load under
``torch.load(weights_only=True)`` (torch >= 2.6).
"""
import math
import os.path as osp

import pytest
import torch
from pixpro_testing import (make_images, rows_by_iter, run_train,
                            write_config)

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

IMAGES = 6  # batch 2: 3 iterations per epoch
ITERS = 5
STOP = 2  # mid-epoch

# iteration-based: cosine LR after a 2-iteration warm-up, checkpoints every
# STOP iterations, probes that log a checksum of every batch
BODY = f"""
custom_imports = dict(imports=['reliability_probe'],
                      allow_failed_imports=False)
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop',
                 max_iters={ITERS})
auto_scale_lr = dict(enable=False)
optim_wrapper = dict(optimizer=dict(lr=0.125))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='CosineAnnealingLR', T_max={ITERS - 2}, eta_min=1e-3,
         by_epoch=False, begin=2, end={ITERS}),
]
train_dataloader = dict(batch_size=2, num_workers=2,
                        persistent_workers=False)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval={STOP}, by_epoch=False, max_keep_ckpts=5))
log_processor = dict(window_size=1, by_epoch=False)
custom_hooks = [dict(type='CosineMomentumHook'),
                dict(type='TestInputChecksumHook')]
"""

LOGGED = ('loss', 'lr', 'momentum', 'input_sum')


def assert_tensors_equal(a, b, where: str) -> int:
    """Compare nested checkpoint parts; return how many tensors matched."""
    if isinstance(a, torch.Tensor):
        assert torch.allclose(a.double(), b.double(), rtol=0,
                              atol=1e-6), where
        return 1
    if isinstance(a, dict):
        assert set(a) == set(b), where
        return sum(assert_tensors_equal(a[k], b[k], f'{where}.{k}')
                   for k in a)
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        return sum(assert_tensors_equal(x, y, f'{where}[{i}]')
                   for i, (x, y) in enumerate(zip(a, b)))
    if isinstance(a, float):
        assert a == pytest.approx(b, abs=1e-9), where
    return 0


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('resume')
    root = make_images(tmp / 'images' / 'a', IMAGES)
    config = write_config(tmp / 'cfg.py', BODY)
    data = [f'train_dataloader.dataset.data_root={osp.dirname(root)}']
    full = run_train(config, tmp / 'full', data)
    assert full.returncode == 0, full.stderr[-3000:]
    # a run pre-empted after iteration STOP leaves exactly this checkpoint
    # (same config, same seed); resume from it in a fresh work dir
    ckpt = tmp / 'full' / f'iter_{STOP}.pth'
    resumed = run_train(config, tmp / 'part', data,
                        extra=['--resume', str(ckpt)])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return tmp, resumed


def test_every_iteration_logs_the_same_values(runs):
    tmp, resumed = runs
    assert f'Advance dataloader {STOP} steps' in resumed.stderr + \
        resumed.stdout
    full, part = rows_by_iter(tmp / 'full'), rows_by_iter(tmp / 'part')
    assert sorted(full) == list(range(1, ITERS + 1))
    assert sorted(part) == list(range(STOP + 1, ITERS + 1))
    for it in range(STOP + 1, ITERS + 1):
        for key in LOGGED:
            assert part[it][key] == pytest.approx(
                full[it][key], rel=1e-6, abs=1e-6), (it, key)
    # the schedules moved: equal values are not constants
    # cosine from 0.125 to 1e-3 over iterations 3-5 (k = 0..2 of T = 3)
    expected = [1e-3 + 0.124 * (1 + math.cos(math.pi * k / 3)) / 2
                for k in range(3)]
    assert [full[it]['lr'] for it in range(3, 6)] == pytest.approx(expected)
    assert full[ITERS]['momentum'] > full[STOP + 1]['momentum'] > 0.99
    assert len({full[it]['input_sum'] for it in full}) == ITERS


def test_final_checkpoints_are_equal(runs):
    tmp, _ = runs
    last = f'iter_{ITERS}.pth'
    full = torch.load(tmp / 'full' / last, map_location='cpu',
                      weights_only=True)
    part = torch.load(tmp / 'part' / last, map_location='cpu',
                      weights_only=True)
    state = full['state_dict']
    assert any(k.startswith('target_net.') for k in state)
    assert any(k.startswith('backbone.') for k in state)
    n_params = assert_tensors_equal(state, part['state_dict'], 'state_dict')
    assert n_params == len(state)
    n_optim = assert_tensors_equal(full['optimizer'], part['optimizer'],
                              'optimizer')
    assert n_optim > 0  # momentum buffers of the optimiser were compared
    assert_tensors_equal(full['param_schedulers'], part['param_schedulers'],
                         'param_schedulers')
    assert full['meta']['iter'] == part['meta']['iter'] == ITERS
    # the online and momentum networks differ (the EMA really ran)
    online = state['backbone.conv1.weight']
    target = state['target_net.module.0.conv1.weight']
    assert not torch.allclose(online, target)


def test_mid_epoch_resume_of_epoch_loop_warns(tmp_path):
    from pixpro_testing import demo_cfg, read_log

    from mmpixpro.registry import RUNNERS
    root = make_images(tmp_path / 'images' / 'a', IMAGES).parent
    cfg = demo_cfg(root, tmp_path / 'first', max_epochs=1)
    cfg.default_hooks.checkpoint = dict(
        type='SafeCheckpointHook', interval=1, by_epoch=False)
    RUNNERS.build(cfg).train()
    for ckpt, warned in (('iter_2.pth', True), ('iter_3.pth', False)):
        cfg = demo_cfg(root, tmp_path / ckpt, max_epochs=2)
        cfg.resume, cfg.load_from = True, str(tmp_path / 'first' / ckpt)
        RUNNERS.build(cfg).train()
        log = read_log(tmp_path / ckpt)
        assert ('2 of 3 iterations into epoch 1' in log) is warned
        assert ('restarts that epoch from its first batch' in log) is warned
