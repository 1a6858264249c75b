# Copyright (c) mmpixpro contributors. All rights reserved.
import pickle

import pytest
import torch
from pixpro_testing import save_training_checkpoint

from mmpixpro.checkpoint import load_d2_pkl
from mmpixpro.export import TARGETS, convert_checkpoint, online_weights


def exported_tensors(path, target):
    if target == 'detectron2':
        return load_d2_pkl(path)['model']
    ckpt = torch.load(path, weights_only=True)
    return ckpt.get('state_dict', ckpt)


@pytest.mark.parametrize('target', TARGETS)
def test_momentum_weights_never_exported(pixpro_r18, tmp_path, target):
    state = pixpro_r18.state_dict()
    target_conv = state['target_net.module.0.conv1.weight']
    online_conv = state['backbone.conv1.weight']
    assert not torch.equal(target_conv, online_conv)  # the fixture's doing
    src = save_training_checkpoint(state, tmp_path / 'c.pth')
    ext = '.pkl' if target == 'detectron2' else '.pth'
    out = convert_checkpoint(src, target, str(tmp_path / f'o{ext}'))
    tensors = exported_tensors(out.path, target)
    assert not any('target_net' in k or 'neck' in k or 'head' in k
                   for k in tensors)
    momentum = [v for k, v in state.items() if k.startswith('target_net.')
                and v.is_floating_point() and v.numel() > 1]
    for value in tensors.values():
        assert not any(value.shape == m.shape and torch.equal(value, m)
                       for m in momentum)
    stem = next(v for k, v in tensors.items() if k.endswith('conv1.weight')
                and v.shape[1] == 3)
    assert torch.equal(stem, online_conv)


def test_no_backbone_is_refused(tmp_path):
    src = save_training_checkpoint(
        {'target_net.module.0.conv1.weight': torch.zeros(64, 3, 7, 7),
         'encoder.conv1.weight': torch.zeros(64, 3, 7, 7)},
        tmp_path / 'other.pth')
    with pytest.raises(ValueError) as err:
        convert_checkpoint(src, 'mmdet', str(tmp_path / 'o.pth'))
    assert 'no PixPro-family online backbone' in str(err.value)
    assert 'other.pth' in str(err.value)
    assert "'encoder'" in str(err.value)


def test_bare_export_gets_a_hint():
    with pytest.raises(ValueError, match='already exported'):
        online_weights({'conv1.weight': torch.zeros(64, 3, 7, 7)})


def test_deep_stem_is_refused():
    with pytest.raises(ValueError, match='deep stem'):
        online_weights({'backbone.stem.0.conv.weight': torch.zeros(32, 3, 3,
                                                                   3)})


def test_non_resnet_backbone_is_refused():
    with pytest.raises(ValueError, match='not a ResNet'):
        online_weights({'backbone.patch_embed.proj.weight': torch.zeros(1)})


def test_unsafe_checkpoint_is_refused(tmp_path):
    path = tmp_path / 'unsafe.pth'
    torch.save({'state_dict': {}, 'hook': pickle.PickleError}, str(path))
    with pytest.raises(ValueError, match='weights_only=True'):
        convert_checkpoint(str(path), 'mmdet', str(tmp_path / 'o.pth'))


def test_missing_file():
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        convert_checkpoint('nowhere.pth', 'mmdet')
