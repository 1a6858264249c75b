# Copyright (c) mmpixpro contributors. All rights reserved.
"""Every variant and baseline config trains 2 iterations through the Runner
on CPU (tiny images made here, 64 px crops, batch 2)."""
import glob
import json
import math
import os.path as osp

import pytest
from mmengine.config import Config
from pixpro_testing import ROOT, tiny_run_cfg

from mmpixpro.registry import RUNNERS

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

CONFIGS = [
    'pixcontrast/pixcontrast_r50_8xb128.py',
    'pixcontrast/pixcontrast_r18_demo.py',
    'pixpro/pixpro-ins_r50_8xb128.py',
    'pixpro/pixpro-ins_r50_8xb128-400e_in1k.py',
    'pixpro/pixpro-ins_r18_demo.py',
    'pixpro/pixpro-fpn_r50_8xb128.py',
    'pixpro/pixpro-fpn_r18_demo.py',
    'byol/byol_r50_8xb128.py',
    'byol/byol_r18_demo.py',
    'mocov2/mocov2_r50_8xb128.py',
    'mocov2/mocov2_r18_demo.py',
    'densecl/densecl_r50_8xb128.py',
    'densecl/densecl_r18_demo.py',
]
# the multi-view family, the region/object methods, the COCO recipes and
# every config on a ViT, Swin or ConvNeXt: every config of their folders
FAMILY = ('swav', 'mocov1', 'simclr', 'revisiting', 'r2o', 'regioncl',
          'densesiam', 'cp2')
BACKBONES = ('vit', 'swin', 'convnext')
CONFIGS += sorted({
    osp.relpath(p, osp.join(ROOT, 'configs'))
    for pattern in [f'{d}/*.py' for d in FAMILY] +
    ['pixpro/pixpro-mcrop*.py', '*/*_coco.py'] +
    [f'*/*_{b}-*.py' for b in BACKBONES]
    for p in glob.glob(osp.join(ROOT, 'configs', pattern))} - {
        # the 200-epoch recipe with max_epochs=800: trained as that one
        'revisiting/revisiting_r50_2xb128-mcrop-800e_coco.py'})
# queues longer than this are cut to it for the 2-iteration runs (the
# 65536 x 2048 backbone-feature queue of "Revisiting" alone is 512 MiB)
TINY_QUEUE = 256
# the view transforms whose ``size`` is scaled down
SIZED_VIEWS = ('RandomResizedCropWithBox', 'FullImageWithBox')


def shorten_queues(node) -> None:
    """Cut every ``queue_len`` of a model config to :data:`TINY_QUEUE`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'queue_len' and value > TINY_QUEUE:
                node[key] = TINY_QUEUE
            else:
                shorten_queues(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            shorten_queues(item)


def tiny_cfg(path: str, data_root, work_dir, crop: int = 64) -> Config:
    cfg = tiny_run_cfg(osp.join(ROOT, 'configs', path), data_root, work_dir,
                       checkpoints=False)
    # the largest views at ``crop`` px, smaller ones scaled alike (to a
    # multiple of 32, at least 32): 2 x 224 + 6 x 96 -> 2 x 64 + 6 x 32
    crops = [t for step in cfg.train_dataloader.dataset.pipeline
             for view in step.get('view_pipelines', []) for t in view
             if t.type in SIZED_VIEWS]
    largest = max(t.size for t in crops)
    for t in crops:
        t.size = max(32, 32 * round(t.size * crop / largest / 32))
    shorten_queues(cfg.model)
    # the demos' dense probe reads data/dense when it is there (here, not in
    # CI): it is tested on its own, not in every 2-iteration run
    cfg.custom_hooks = [hook for hook in cfg.get('custom_hooks', [])
                        if hook['type'] != 'DenseProbeHook']
    return cfg


def test_all_new_configs_are_listed():
    new = {'pixcontrast', 'byol', 'mocov2', 'densecl'}
    found = {
        osp.relpath(p, osp.join(ROOT, 'configs'))
        for d in new for p in glob.glob(osp.join(ROOT, 'configs', d, '*.py'))
    }
    assert found <= set(CONFIGS)


@pytest.mark.parametrize('path', CONFIGS)
def test_config_trains_two_iterations(path, tiny_image_root, tmp_path):
    # 4 images, batch 2, drop_last: 2 iterations in the one epoch
    cfg = tiny_cfg(path, tiny_image_root, tmp_path / 'work')
    runner = RUNNERS.build(cfg)
    runner.train()
    assert runner.iter == 2
    scalars = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' /
                            'scalars.json'))
    rows = [json.loads(line) for line in open(scalars[0])]
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
    if 'densecl_r18_demo' in path:
        # mmpretrain's DenseCLHook is found and holds lambda at 0 (7 iters)
        assert all(r['loss_dense'] == 0 for r in rows if 'loss' in r)
