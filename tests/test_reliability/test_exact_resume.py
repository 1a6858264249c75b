# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/train.py --resume: 2 + stop + 3 iterations equal 5 uninterrupted.

The PixPro pipeline stops in the middle of the first epoch (6 images,
batch 2, two dataloader workers) and the resumed part crosses into the
second, so the data order, the per-sample augmentation randomness, the LR
and momentum schedules, the optimiser state and the message hub all have
to be restored, and the checkpoint has to load under
``torch.load(weights_only=True)`` (torch >= 2.6). The multi-view pipeline
(multi-crop PixPro: 2 global + 4 local views, made 64 / 32 px here) stops
after epoch 1 (3 + stop + 2): the next epoch's views come from the resumed
run's own sampler and seeds. SwAV (the same views) stops there too, with
its queue of 2 batches full and in use since iteration 3 and its
prototypes frozen for iterations 1-4: the resumed run must take the queue
from the checkpoint (SwAVQueueHook) and freeze the prototypes again.
"""
import math
import os.path as osp
from typing import NamedTuple

import pytest
import torch
from mmengine.config import Config
from pixpro_testing import (DEMO, ROOT, assert_tensors_equal, make_images,
                            rows_by_iter, run_train)

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

IMAGES = 6  # batch 2: 3 iterations per epoch
ITERS = 5


class Case(NamedTuple):
    """A pipeline resumed: its real config, the iteration of the checkpoint
    resumed from, its largest crop here (0: the config's own), the method's
    hooks (config text) and whether it keeps a momentum copy."""
    config: str
    stop: int
    crop: int = 0
    hooks: str = "dict(type='CosineMomentumHook')"
    momentum: bool = True
    options: str = ''  # more config text (e.g. a model setting)


# SwAV at batch 2: a queue of 4 (2 batches) from the start, full after
# iteration 2 and used from iteration 3; prototypes frozen while
# runner.iter < 4 (logged iterations 1-4)
SWAV_HOOK = ("dict(type='SwAVQueueHook', priority='VERY_HIGH', batch_size=2, "
             "epoch_queue_starts=0, crops_for_assign=[0, 1], feat_dim=128, "
             "queue_length=4, frozen_layers_cfg=dict(prototypes=4))")


CASES = {
    'r2o': Case(  # mid-epoch; k-means seeded from runner.iter, K by epoch
        osp.join(ROOT, 'configs', 'r2o', 'r2o_r18_demo.py'),
        stop=2,
        crop=64,
        hooks=("dict(type='CosineMomentumHook'), dict(type="
               "'R2OClusterHook', epochs=(0, 2, 12), values=(128, 128, 4))")),
    'densesiam': Case(  # mid-epoch; no momentum copy, no queue; the
        # predictors' lr held by SimSiamHook (stateless, every iteration)
        osp.join(ROOT, 'configs', 'densesiam', 'densesiam_r18_demo.py'),
        stop=2,
        crop=64,
        hooks=("dict(type='SimSiamHook', priority='HIGH', fix_pred_lr=True, "
               "lr=0.125, adjust_by_epoch=False)"),
        momentum=False),
    'pixpro': Case(DEMO, stop=2),  # mid-epoch
    'regioncl': Case(  # mid-epoch; the swap-box stream (128 px: 2-3
        # cells at 2 positions), queue and pointer are model buffers; the
        # key encoder is encoder_k (no target_net), m held constant
        osp.join(ROOT, 'configs', 'regioncl', 'regionclm_r18_demo.py'),
        stop=2,
        hooks="dict(type='MomentumHook', schedule=None)",
        momentum=False),
    'cp2': Case(  # mid-epoch; MoCo queue and pointer are model buffers;
        # its copy (encoder_k) keeps m constant: no schedule to check
        osp.join(ROOT, 'configs', 'cp2', 'cp2_r18_demo.py'),
        stop=2,
        crop=64,
        hooks="dict(type='MomentumHook', schedule=None)",
        momentum=False),
    'vit': Case(  # mid-epoch; ViT-Ti/16, DINO's AdamW (moments resumed);
        # 40 px views: 3 x 3 patch grids padded to 48 px (grid_boxes)
        osp.join(ROOT, 'configs', 'pixpro', 'pixpro_vit-tiny-p16_demo.py'),
        stop=2,
        crop=40),
    'convnext': Case(  # mid-epoch; ConvNeXt, AdamW (its moments resumed),
        # stochastic depth made resumable by IterationSeedHook
        osp.join(ROOT, 'configs', 'pixpro', 'pixpro_convnext-atto_demo.py'),
        stop=2,
        crop=64,
        hooks=("dict(type='CosineMomentumHook'), "
               "dict(type='IterationSeedHook')"),
        options='model = dict(backbone=dict(drop_path_rate=0.2))'),
    'swin': Case(  # mid-epoch; Swin with the FPN pretext levels P3-P6
        osp.join(ROOT, 'configs', 'pixpro', 'pixpro-fpn_swin-nano_demo.py'),
        stop=2,
        crop=64),
    'multi-view': Case(
        osp.join(ROOT, 'configs', 'pixpro', 'pixpro-mcrop_r18_demo.py'),
        stop=3,  # after epoch 1
        crop=64),
    'swav': Case(
        osp.join(ROOT, 'configs', 'swav', 'swav_r18_demo.py'),
        stop=3,  # after epoch 1, the queue in use
        crop=64,
        hooks=SWAV_HOOK,
        momentum=False),
}

# iteration-based: cosine LR after a 2-iteration warm-up, checkpoints every
# {stop} iterations, probes that log a checksum of every batch; {dataset}:
# what else the dataset changes
BODY = """
custom_imports = dict(imports=['reliability_probe'],
                      allow_failed_imports=False)
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop',
                 max_iters={iters})
auto_scale_lr = dict(enable=False)
optim_wrapper = dict(optimizer=dict(lr=0.125))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='CosineAnnealingLR', T_max={cosine}, eta_min=1e-3,
         by_epoch=False, begin=2, end={iters}),
]
train_dataloader = dict(batch_size=2, num_workers=2,
                        persistent_workers=False, dataset=dict({dataset}))
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval={stop}, by_epoch=False, max_keep_ckpts=5))
log_processor = dict(window_size=1, by_epoch=False)
custom_hooks = [{hooks}, dict(type='TestInputChecksumHook')]
"""

LOGGED = ('loss', 'lr', 'input_sum')  # and momentum with a momentum copy


def scaled_pipeline(config: str, crop: int) -> list:
    """The config's training pipeline with its largest crops at ``crop`` px
    and the smaller ones scaled alike (128 + 64 -> 64 + 32)."""
    pipeline = Config.fromfile(config).to_dict()['train_dataloader'][
        'dataset']['pipeline']
    crops = [t for step in pipeline for view in step.get(
        'view_pipelines', []) for t in view if 'size' in t]
    largest = max(t['size'] for t in crops)
    for t in crops:
        t['size'] = t['size'] * crop // largest
    return pipeline


def case_body(case: Case, dataset: str = '') -> str:
    """:data:`BODY` for ``case``: checkpoints every ``case.stop``
    iterations, its hooks, ``dataset`` in ``train_dataloader.dataset``."""
    return BODY.format(iters=ITERS, cosine=ITERS - 2, stop=case.stop,
                       dataset=dataset, hooks=case.hooks)


def write_case_config(path, case: Case) -> str:
    """``case.config`` with :func:`case_body` and, with ``case.crop``, its
    crops scaled down."""
    dataset = (f'pipeline={scaled_pipeline(case.config, case.crop)!r}'
               if case.crop else '')
    body = case_body(case, dataset)
    with open(path, 'w') as f:
        f.write(f'_base_ = [{case.config!r}]\n{body}\n{case.options}\n')
    return str(path)


def train_and_resume(case: Case, tmp) -> tuple:
    """Train ``case`` for :data:`ITERS` iterations, then again from its
    checkpoint of iteration ``case.stop`` in a fresh work dir; returns
    ``(tmp, resumed process)``."""
    root = make_images(tmp / 'images' / 'a', IMAGES)
    config = write_case_config(tmp / 'cfg.py', case)
    data = [f'train_dataloader.dataset.data_root={osp.dirname(root)}']
    full = run_train(config, tmp / 'full', data)
    assert full.returncode == 0, full.stderr[-3000:]
    # a run pre-empted after iteration ``stop`` leaves exactly this
    # checkpoint (same config, same seed); resume from it in a fresh work dir
    ckpt = tmp / 'full' / f'iter_{case.stop}.pth'
    resumed = run_train(config, tmp / 'part', data,
                        extra=['--resume', str(ckpt)])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return tmp, resumed


# one test per case (its two runs are its own: no fixture shared between
# tests that pytest-xdist could send to two workers)
@pytest.mark.parametrize('name', sorted(CASES))
def test_resumed_run_equals_the_uninterrupted_run(name, tmp_path):
    case = CASES[name]
    tmp, resumed = train_and_resume(case, tmp_path)
    assert_same_logged_values(tmp, resumed, case)
    assert_same_final_checkpoints(tmp, case)


def assert_same_logged_values(tmp, resumed, case: Case) -> None:
    """Every iteration of the resumed run logs what the uninterrupted run
    logged (loss, lr, input checksum, momentum), and the values moved."""
    stop = case.stop
    logged = LOGGED + (('momentum', ) if case.momentum else ())
    assert f'Advance dataloader {stop} steps' in resumed.stderr + \
        resumed.stdout
    full, part = rows_by_iter(tmp / 'full'), rows_by_iter(tmp / 'part')
    assert sorted(full) == list(range(1, ITERS + 1))
    assert sorted(part) == list(range(stop + 1, ITERS + 1))
    for it in range(stop + 1, ITERS + 1):
        for key in logged:
            assert part[it][key] == pytest.approx(
                full[it][key], rel=1e-6, abs=1e-6), (it, key)
    # the schedules moved: equal values are not constants
    # cosine from 0.125 to 1e-3 over iterations 3-5 (k = 0..2 of T = 3)
    expected = [1e-3 + 0.124 * (1 + math.cos(math.pi * k / 3)) / 2
                for k in range(3)]
    assert [full[it]['lr'] for it in range(3, 6)] == pytest.approx(expected)
    if case.momentum:
        assert full[ITERS]['momentum'] > full[stop + 1]['momentum'] > 0.99
    assert len({full[it]['input_sum'] for it in full}) == ITERS


def assert_same_final_checkpoints(tmp, case: Case) -> None:
    """The last checkpoints of both runs hold the same weights, optimiser,
    schedulers (and SwAV queue), and the momentum copy really moved."""
    last = f'iter_{ITERS}.pth'
    full = torch.load(tmp / 'full' / last, map_location='cpu',
                      weights_only=True)
    part = torch.load(tmp / 'part' / last, map_location='cpu',
                      weights_only=True)
    state = full['state_dict']
    assert any(k.startswith('target_net.') for k in state) is case.momentum
    assert any(k.startswith('backbone.') for k in state)
    n_params = assert_tensors_equal(state, part['state_dict'], 'state_dict')
    assert n_params == len(state)
    n_optim = assert_tensors_equal(full['optimizer'], part['optimizer'],
                              'optimizer')
    assert n_optim > 0  # momentum buffers of the optimiser were compared
    assert_tensors_equal(full['param_schedulers'], part['param_schedulers'],
                         'param_schedulers')
    assert full['meta']['iter'] == part['meta']['iter'] == ITERS
    assert ('swav_queue' in full) is ('swav_queue' in part)
    if 'swav_queue' in full:
        swav_state_was_in_use(tmp / 'full' / f'iter_{case.stop}.pth', state)
        assert_tensors_equal(full['swav_queue'], part['swav_queue'],
                             'swav_queue')
    if case.momentum:
        # the online and momentum networks differ (the EMA really ran)
        # (the backbone's first tensor: conv1 of a ResNet, a Swin's patch
        # embedding, ...)
        name = next(k for k in state if k.startswith('backbone.'))
        online = state[name]
        target = state['target_net.module.0.' + name[len('backbone.'):]]
        assert not torch.allclose(online, target)


def swav_state_was_in_use(stopped: str, final: dict) -> None:
    """At the stop the queue (1 rank, 2 assigned views, 4 x 128) was full,
    hence used by the loss; the prototypes, frozen until then, moved
    afterwards."""
    at_stop = torch.load(stopped, map_location='cpu', weights_only=True)
    queue = at_stop['swav_queue']
    assert queue.shape == (1, 2, 4, 128)
    assert (queue.norm(dim=-1) > 0.99).all()  # l2-normalised embeddings
    key = 'head.loss_module.prototypes.weight'
    assert not torch.allclose(at_stop['state_dict'][key], final[key])


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
