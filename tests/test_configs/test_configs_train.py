# Copyright (c) mmpixpro contributors. All rights reserved.
"""Every variant and baseline config (the demos: test_demo_resume.py)
trains 2 iterations through the Runner on CPU (tiny images made here, 64 px
crops, batch 2)."""
import glob
import json
import math
import os.path as osp

import pytest
from pixpro_testing import ROOT, tiny_config

from mmpixpro.registry import RUNNERS

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

CONFIGS = [
    'pixcontrast/pixcontrast_r50_8xb128.py',
    'pixpro/pixpro-ins_r50_8xb128.py',
    'pixpro/pixpro-ins_r50_8xb128-400e_in1k.py',
    'pixpro/pixpro-fpn_r50_8xb128.py',
    'byol/byol_r50_8xb128.py',
    'mocov2/mocov2_r50_8xb128.py',
    'densecl/densecl_r50_8xb128.py',
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
# the demos (found by the patterns) train and resume in
# tests/test_reliability/test_demo_resume.py
CONFIGS = [path for path in CONFIGS if not path.endswith('_demo.py')]


def test_all_new_configs_are_listed():
    new = {'pixcontrast', 'byol', 'mocov2', 'densecl'}
    found = {
        osp.relpath(p, osp.join(ROOT, 'configs'))
        for d in new for p in glob.glob(osp.join(ROOT, 'configs', d, '*.py'))
    }
    assert {p for p in found if not p.endswith('_demo.py')} <= set(CONFIGS)


@pytest.mark.parametrize('path', CONFIGS)
def test_config_trains_two_iterations(path, tiny_image_root, tmp_path):
    # 4 images, batch 2, drop_last: 2 iterations in the one epoch
    cfg = tiny_config(path, tiny_image_root, tmp_path / 'work')
    runner = RUNNERS.build(cfg)
    runner.train()
    assert runner.iter == 2
    scalars = glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' /
                            'scalars.json'))
    rows = [json.loads(line) for line in open(scalars[0])]
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
