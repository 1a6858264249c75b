# Copyright (c) mmpixpro contributors. All rights reserved.
import importlib.util
import os.path as osp

import pytest
from pixpro_testing import load_tool, save_training_checkpoint, scratch_dir

from mmpixpro.export import convert_checkpoint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMDET_CFG = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection',
                     'mask-rcnn_r50-c4_pixpro-pre_8xb2-1x_coco.py')
D2_CFG = osp.join(REPO, 'configs', 'benchmarks', 'detectron2',
                  'pascal_voc_R_50_C4_24k_pixpro.yaml')


def load_launcher(name):
    return load_tool('tools', 'benchmarks', f'{name}.py')


@pytest.fixture(scope='module')
def r50_exports(pixpro_r50, tmp_path_factory):
    with scratch_dir(tmp_path_factory, 'r50') as tmp:
        src = save_training_checkpoint(pixpro_r50.state_dict(),
                                       tmp / 'c.pth')
        yield {t: convert_checkpoint(src, t).path
               for t in ('mmdet', 'detectron2')}


@pytest.mark.skipif(importlib.util.find_spec('mmdet') is not None,
                    reason='checks the environment without mmdet')
def test_mm_launcher_checks_then_needs_mmdet(r50_exports, capsys):
    tool = load_launcher('train_mm')
    argv = ['mmdet', MMDET_CFG, '--pretrained', r50_exports['mmdet']]
    assert tool.main(argv + ['--dry-run']) == 0
    out = capsys.readouterr().out
    assert 'verified' in out and 'model not built' in out
    assert tool.main(argv) == 2
    err = capsys.readouterr().err
    assert 'mmdet is not installed' in err and 'downstream-env' in err


def test_mm_launcher_points_every_init_at_the_checkpoint(r50_exports):
    tool = load_launcher('train_mm')
    cfg = tool.prepare_config(tool.parse_args(
        ['mmdet', MMDET_CFG, '--pretrained', r50_exports['mmdet']]))
    assert cfg.model.backbone.init_cfg.checkpoint == r50_exports['mmdet']
    shared = cfg.model.roi_head.shared_head
    assert shared.init_cfg.checkpoint == r50_exports['mmdet']
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert hooks.count('PretrainedCheckHook') == 1


def test_mm_launcher_default_path_missing_says_how(capsys, tmp_path,
                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)  # no work_dirs/ here
    tool = load_launcher('train_mm')
    assert tool.main(['mmdet', MMDET_CFG, '--dry-run']) == 1
    err = capsys.readouterr().err
    assert 'work_dirs/pixpro_r50_8xb128/epoch_100_mmdet.pth' in err
    assert '--pretrained' in err


def test_mm_launcher_refuses_wrong_format(r50_exports, capsys):
    tool = load_launcher('train_mm')
    assert tool.main(['mmdet', MMDET_CFG, '--pretrained',
                      r50_exports['detectron2'], '--dry-run']) == 1
    # the message is the last line (torch may warn before it)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith('error: ')


def test_d2_launcher_checks_then_needs_detectron2(r50_exports, capsys):
    tool = load_launcher('train_detectron2')
    argv = [D2_CFG, r50_exports['detectron2']]
    assert tool.main(argv + ['--dry-run']) == 0
    if importlib.util.find_spec('detectron2') is None:
        assert tool.main(argv) == 2
        assert 'detectron2 is not installed' in capsys.readouterr().err


def test_d2_eval_only_takes_a_fine_tuned_model(tmp_path, capsys):
    """--eval-only evaluates detectron2's own output, not an export."""
    import torch
    fine_tuned = tmp_path / 'model_final.pth'
    torch.save({'model': {'roi_heads.box_predictor.cls_score.weight':
                          torch.zeros(21, 2048)}, 'iteration': 24000},
               fine_tuned)
    tool = load_launcher('train_detectron2')
    assert tool.main([D2_CFG, str(fine_tuned), '--eval-only',
                      '--dry-run']) == 0
    assert 'fine-tuned' in capsys.readouterr().out
    assert tool.main([D2_CFG, str(tmp_path / 'none.pth'), '--eval-only',
                      '--dry-run']) == 1
    assert 'does not exist' in capsys.readouterr().err
    # without --eval-only the same file is refused as an export
    assert tool.main([D2_CFG, str(fine_tuned), '--dry-run']) == 1


BLOCK_MM = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('mmcv', 'mmengine', 'mmpretrain', 'mmdet',
                                  'mmseg'):
            raise ImportError('blocked in this test: ' + name)
sys.meta_path.insert(0, Block())
sys.argv = sys.argv[1:]
import runpy
runpy.run_path(sys.argv[0], run_name='__main__')
"""


def test_d2_launcher_needs_no_openmmlab_package(r50_exports, tmp_path):
    """The detectron2 environment has no mmcv/mmengine/mmpretrain."""
    import subprocess
    import sys
    script = osp.join(REPO, 'tools', 'benchmarks', 'train_detectron2.py')
    result = subprocess.run(
        [sys.executable, '-c', BLOCK_MM, script, D2_CFG,
         r50_exports['detectron2'], '--dry-run'],
        capture_output=True, text=True, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'verified' in result.stdout
