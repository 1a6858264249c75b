# Copyright (c) mmpixpro contributors. All rights reserved.
import pickle

import pytest
import torch
from pixpro_testing import save_training_checkpoint
from mmpretrain.models.backbones import ResNet

from mmpixpro.checkpoint import KeyMismatchError, load_d2_pkl
from mmpixpro.export import (convert_checkpoint, d2_to_mm_key, mm_to_d2_key,
                             verify_export)

HAND_MAPPED = {
    'conv1.weight': 'stem.conv1.weight',
    'bn1.weight': 'stem.conv1.norm.weight',
    'bn1.running_mean': 'stem.conv1.norm.running_mean',
    'layer1.0.conv1.weight': 'res2.0.conv1.weight',
    'layer1.0.bn3.running_var': 'res2.0.conv3.norm.running_var',
    'layer1.0.downsample.0.weight': 'res2.0.shortcut.weight',
    'layer1.0.downsample.1.bias': 'res2.0.shortcut.norm.bias',
    'layer3.5.conv2.weight': 'res4.5.conv2.weight',
    'layer4.2.bn3.weight': 'res5.2.conv3.norm.weight',
}


def test_hand_written_names():
    for mm, d2 in HAND_MAPPED.items():
        assert mm_to_d2_key(mm) == d2
        assert d2_to_mm_key(d2) == mm
    assert mm_to_d2_key('layer2.0.bn1.num_batches_tracked') is None
    with pytest.raises(KeyError, match='fc.weight'):
        mm_to_d2_key('fc.weight')


def test_bijection_on_resnet50_keys():
    keys = [k for k in ResNet(depth=50).state_dict()
            if not k.endswith('num_batches_tracked')]
    assert len(keys) == 53 + 53 * 4
    mapped = [mm_to_d2_key(k) for k in keys]
    assert len(set(mapped)) == len(keys)  # injective
    assert [d2_to_mm_key(k) for k in mapped] == keys  # round trip
    assert all(k.startswith(('stem.', 'res2.', 'res3.', 'res4.', 'res5.'))
               for k in mapped)


def test_pkl_file_round_trip(pixpro_r50, tmp_path):
    src = save_training_checkpoint(pixpro_r50.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'detectron2', str(tmp_path / 'r50.pkl'))
    assert out.num_tensors == 53 + 53 * 4
    with open(out.path, 'rb') as f:
        data = pickle.load(f)
    assert data['__author__'] == 'mmpixpro'
    assert data['matching_heuristics'] is True
    # numpy arrays only: the restricted loader refuses any other class
    loaded = load_d2_pkl(out.path)['model']
    online = pixpro_r50.backbone.state_dict()
    for d2_key, value in loaded.items():
        assert torch.equal(value, online[d2_to_mm_key(d2_key)])
    assert verify_export(out.path, 'detectron2') == 50


def test_pkl_loader_refuses_code(tmp_path):
    path = tmp_path / 'evil.pkl'
    with open(path, 'wb') as f:
        pickle.dump({'model': {}, 'x': print}, f)
    with pytest.raises(pickle.UnpicklingError, match='builtins.print'):
        load_d2_pkl(str(path))


def test_renamed_d2_key_fails(pixpro_r18, tmp_path):
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'detectron2', str(tmp_path / 'r.pkl')).path
    with open(out, 'rb') as f:
        data = pickle.load(f)
    model = data['model']
    model['res3.0.shortcut.bn.weight'] = model.pop(
        'res3.0.shortcut.norm.weight')
    with open(out, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(KeyError, match='res3.0.shortcut.bn.weight'):
        verify_export(out, 'detectron2')
    del model['res3.0.shortcut.bn.weight']
    with open(out, 'wb') as f:
        pickle.dump(data, f)
    with pytest.raises(KeyMismatchError, match='layer2.0.downsample.1.weight'):
        verify_export(out, 'detectron2')
