# Copyright (c) mmpixpro contributors. All rights reserved.
import importlib.util
import os.path as osp

import torch
from pixpro_testing import save_training_checkpoint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool():
    path = osp.join(REPO, 'tools', 'model_converters', 'convert.py')
    spec = importlib.util.spec_from_file_location('convert_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_converts_and_reports(pixpro_r18, tmp_path, capsys):
    tool = load_tool()
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'e.pth')
    assert tool.main([src, '--to', 'mmseg']) == 0
    out = capsys.readouterr().out
    assert 'Exported 120 tensors' in out and 'Verified: ResNet-18' in out
    default = str(tmp_path / 'e_mmseg.pth')
    assert len(torch.load(default, weights_only=True)['state_dict']) == 120
    assert tool.main([src, '--to', 'detectron2']) == 0
    assert 'Exported 100 tensors' in capsys.readouterr().out  # no BN counter
    assert osp.isfile(str(tmp_path / 'e_detectron2.pkl'))


def test_cli_bad_input_exits_1_with_message(pixpro_r18, tmp_path, capsys):
    tool = load_tool()
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'e.pth')
    assert tool.main([src, '--to', 'mmdet', '--with-fpn']) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: ') and 'fpn.*' in err
    assert tool.main([src, '--to', 'detectron2', '-o',
                      str(tmp_path / 'x.pth')]) == 1
    assert '.pkl' in capsys.readouterr().err
