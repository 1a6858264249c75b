# Copyright (c) mmpixpro contributors. All rights reserved.
"""CropFallbackHook logs each batch's centre-crop fallbacks with the loss,
and nothing for samples that do not count them."""
import glob
import json
import os.path as osp
from types import SimpleNamespace

from mmengine.logging import MessageHub
from mmpretrain.structures import DataSample
from pixpro_testing import ROOT, tiny_run_cfg

from mmpixpro.engine.hooks import CropFallbackHook
from mmpixpro.engine.hooks.crop_fallback_hook import (SCALAR_KEY,
                                                      batch_crop_fallbacks)
from mmpixpro.registry import RUNNERS

MOCOV1_DEMO = osp.join(ROOT, 'configs', 'mocov1', 'mocov1_r18_demo.py')


def samples(*counts):
    """Data samples whose metainfo has ``crop_fallbacks`` (None: absent)."""
    out = []
    for count in counts:
        sample = DataSample()
        meta = dict(img_path='x.jpg')
        if count is not None:
            meta['crop_fallbacks'] = count
        sample.set_metainfo(meta)
        out.append(sample)
    return out


def after_iter(batch: dict, name: str) -> MessageHub:
    hub = MessageHub.get_instance(name)
    runner = SimpleNamespace(message_hub=hub)
    CropFallbackHook().after_train_iter(runner, 0, batch, dict())
    return hub


def test_known_counts_give_their_sum():
    hub = after_iter(dict(data_samples=samples(0, 2, 3, 1)), 'cfh_sum')
    assert hub.get_scalar(SCALAR_KEY).current() == 6
    hub = after_iter(dict(data_samples=samples(0, 0)), 'cfh_sum')
    assert hub.get_scalar(SCALAR_KEY).current() == 0  # a count, not a total


def test_samples_without_the_field_log_nothing():
    assert batch_crop_fallbacks(dict(data_samples=samples(None, None))) \
        is None
    assert batch_crop_fallbacks(None) is None
    hub = after_iter(dict(data_samples=samples(None, None)), 'cfh_none')
    assert SCALAR_KEY not in hub.log_scalars


def test_runner_logs_the_fallbacks_of_an_impossible_constraint(
        tiny_image_root, tmp_path):
    """View 1 must lie wholly inside view 0 (min_share=1.0) but is larger
    (scale 0.5-1 against 0.05-0.06): all its 10 attempts fail, so each
    sample has exactly 1 fallback (view 0 is unconstrained and fits), 2 per
    batch of 2, logged at both iterations through the default hooks."""
    cfg = tiny_run_cfg(MOCOV1_DEMO, tiny_image_root, tmp_path / 'work',
                       checkpoints=False)
    assert cfg.default_hooks.crop_fallbacks.type == 'CropFallbackHook'
    cfg.model.queue_len = 8
    views = [
        [dict(type='RandomResizedCropWithBox', size=32, scale=(0.05, 0.06))],
        [
            dict(
                type='RandomResizedCropWithBox',
                size=32,
                scale=(0.5, 1.0),
                ref_view=0,
                min_share=1.0)
        ],
    ]
    pipeline = cfg.train_dataloader.dataset.pipeline
    pipeline[1] = dict(type='MultiViewTransform', view_pipelines=views)
    pipeline[2].meta_keys = ['img_path', 'crop_fallbacks']
    runner = RUNNERS.build(cfg)
    runner.train()
    scalars, = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' /
                              'scalars.json'))
    rows = [json.loads(line) for line in open(scalars)]
    logged = [r['crop_fallbacks'] for r in rows if 'loss' in r]
    assert logged == [2, 2]
