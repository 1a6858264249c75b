# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch
from mmpretrain.models.backbones import ResNet

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.export import (convert_checkpoint, load_backbone_strict,
                             verify_export)

from pixpro_testing import save_training_checkpoint

# ResNet-50: 53 convs (1 stem + 16 blocks x 3 + 4 shortcuts) without bias,
# 53 BNs x 5 tensors (weight, bias, running_mean/var, num_batches_tracked)
R50_TENSORS = 53 + 53 * 5
R50_SAMPLES = {
    'backbone.conv1.weight': (64, 3, 7, 7),
    'backbone.bn1.num_batches_tracked': (),
    'backbone.layer1.0.downsample.0.weight': (256, 64, 1, 1),
    'backbone.layer1.0.downsample.1.running_var': (256, ),
    'backbone.layer2.0.conv2.weight': (128, 128, 3, 3),
    'backbone.layer3.5.bn3.weight': (1024, ),
    'backbone.layer4.2.conv3.weight': (2048, 512, 1, 1),
}


@pytest.mark.parametrize('target', ['mmpretrain', 'mmdet', 'mmseg'])
def test_export_equals_mmpretrain_resnet50(pixpro_r50, tmp_path, target):
    src = save_training_checkpoint(pixpro_r50.state_dict(), tmp_path / 'c.pth')
    summary = convert_checkpoint(src, target, str(tmp_path / 'out.pth'))
    assert summary.num_tensors == R50_TENSORS
    ckpt = torch.load(summary.path, weights_only=True)
    state = ckpt['state_dict']
    assert len(state) == R50_TENSORS
    for key, shape in R50_SAMPLES.items():
        assert tuple(state[key].shape) == shape
    reference = ResNet(depth=50).state_dict()
    assert {k[len('backbone.'):] for k in state} == set(reference)
    for key, value in reference.items():
        assert state['backbone.' + key].shape == value.shape
    # values (BN running statistics included) are the online backbone's
    online = pixpro_r50.backbone.state_dict()
    assert all(torch.equal(state['backbone.' + k], v)
               for k, v in online.items())
    assert ckpt['meta']['mean'] == [123.675, 116.28, 103.53]
    assert verify_export(summary.path, target) == 50


def test_strict_load_into_resnet_gives_same_features(pixpro_r18, tmp_path):
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'mmdet', str(tmp_path / 'd.pth')).path
    fresh = ResNet(depth=18)
    load_backbone_strict(fresh, out)
    fresh.eval()
    x = torch.randn(1, 3, 64, 64)
    pixpro_r18.backbone.eval()
    with torch.no_grad():
        assert torch.allclose(fresh(x)[0], pixpro_r18.backbone(x)[0])


def test_renamed_key_fails_loudly(pixpro_r18, tmp_path):
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'mmseg', str(tmp_path / 'e.pth')).path
    ckpt = torch.load(out, weights_only=True)
    state = ckpt['state_dict']
    state['backbone.bn_stem.weight'] = state.pop('backbone.bn1.weight')
    torch.save(ckpt, out)
    with pytest.raises(KeyMismatchError) as err:
        verify_export(out, 'mmseg')
    assert 'missing: backbone.bn1.weight' not in str(err.value)
    assert 'bn1.weight' in str(err.value)
    assert 'bn_stem.weight' in str(err.value)
    with pytest.raises(KeyMismatchError, match='bn_stem.weight'):
        load_backbone_strict(ResNet(depth=18), out)


def test_stray_key_in_mm_export_fails(pixpro_r18, tmp_path):
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'mmdet', str(tmp_path / 'f.pth')).path
    ckpt = torch.load(out, weights_only=True)
    ckpt['state_dict']['head.extra'] = torch.zeros(1)
    torch.save(ckpt, out)
    with pytest.raises(KeyMismatchError, match='head.extra'):
        verify_export(out, 'mmdet')
