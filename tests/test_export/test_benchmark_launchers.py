# Copyright (c) mmpixpro contributors. All rights reserved.
import importlib.util
import os.path as osp

import pytest
from export_helpers import save_training_checkpoint

from mmpixpro.export import convert_checkpoint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMDET_CFG = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection',
                     'mask-rcnn_r50-c4_pixpro-pre_8xb2-1x_coco.py')
D2_CFG = osp.join(REPO, 'configs', 'benchmarks', 'detectron2',
                  'pascal_voc_R_50_C4_24k_pixpro.yaml')


def load_tool(name):
    path = osp.join(REPO, 'tools', 'benchmarks', f'{name}.py')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def r50_exports(pixpro_r50, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('r50')
    src = save_training_checkpoint(pixpro_r50.state_dict(), tmp / 'c.pth')
    return {t: convert_checkpoint(src, t).path
            for t in ('mmdet', 'detectron2')}


def test_mm_launcher_checks_then_needs_mmdet(r50_exports, capsys):
    tool = load_tool('train_mm')
    argv = ['mmdet', MMDET_CFG, r50_exports['mmdet']]
    assert tool.main(argv + ['--dry-run']) == 0
    assert 'verified' in capsys.readouterr().out
    if importlib.util.find_spec('mmdet') is None:
        assert tool.main(argv) == 2
        err = capsys.readouterr().err
        assert 'mmdet is not installed' in err and 'mmdet==3.3.0' in err


def test_mm_launcher_points_every_init_at_the_checkpoint(r50_exports):
    tool = load_tool('train_mm')
    cfg = tool.prepare_config(tool.parse_args(
        ['mmdet', MMDET_CFG, r50_exports['mmdet']]))
    assert cfg.model.backbone.init_cfg.checkpoint == r50_exports['mmdet']
    shared = cfg.model.roi_head.shared_head
    assert shared.init_cfg.checkpoint == r50_exports['mmdet']


def test_mm_launcher_refuses_wrong_format(r50_exports, capsys):
    tool = load_tool('train_mm')
    assert tool.main(['mmdet', MMDET_CFG, r50_exports['detectron2'],
                      '--dry-run']) == 1
    # the message is the last line (torch may warn before it)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith('error: ')


def test_d2_launcher_checks_then_needs_detectron2(r50_exports, capsys):
    tool = load_tool('train_detectron2')
    argv = [D2_CFG, r50_exports['detectron2']]
    assert tool.main(argv + ['--dry-run']) == 0
    if importlib.util.find_spec('detectron2') is None:
        assert tool.main(argv) == 2
        assert 'detectron2 is not installed' in capsys.readouterr().err
