# Copyright (c) mmpixpro contributors. All rights reserved.
import os.path as osp

import torch
from pixpro_testing import load_tool, save_training_checkpoint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_convert_tool():
    return load_tool('tools', 'model_converters', 'convert.py')


def test_cli_converts_and_reports(pixpro_r18, tmp_path, capsys):
    tool = load_convert_tool()
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
    tool = load_convert_tool()
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'e.pth')
    assert tool.main([src, '--to', 'mmdet', '--with-fpn']) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: ') and 'fpn.*' in err
    assert tool.main([src, '--to', 'detectron2', '-o',
                      str(tmp_path / 'x.pth')]) == 1
    assert '.pkl' in capsys.readouterr().err
