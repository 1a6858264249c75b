# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch
import torchvision
from pixpro_testing import save_training_checkpoint

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.export import convert_checkpoint, verify_export


@pytest.mark.parametrize('fixture,depth', [('pixpro_r18', 18),
                                           ('pixpro_r50', 50)])
def test_strict_load_into_torchvision(request, tmp_path, fixture, depth):
    model = request.getfixturevalue(fixture)
    src = save_training_checkpoint(model.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'torchvision', str(tmp_path / 't.pth'))
    state = torch.load(out.path, weights_only=True)
    assert 'fc.weight' not in state and 'conv1.weight' in state
    net = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert sorted(missing) == ['fc.bias', 'fc.weight'] and not unexpected
    net.fc = torch.nn.Identity()
    net.load_state_dict(state, strict=True)
    # same C5 features as the online backbone (eval-mode BN statistics)
    x = torch.randn(1, 3, 64, 64)
    net.eval()
    model.backbone.eval()
    with torch.no_grad():
        c5 = model.backbone(x)[0]
        tv = net.layer4(net.layer3(net.layer2(net.layer1(
            net.maxpool(net.relu(net.bn1(net.conv1(x))))))))
    model.backbone.train()
    assert torch.allclose(c5, tv, atol=1e-5)
    assert verify_export(out.path, 'torchvision') == depth


def test_torchvision_renamed_key_fails(pixpro_r18, tmp_path):
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'torchvision', str(tmp_path / 't.pth')).path
    state = torch.load(out, weights_only=True)
    state['layer1.0.bn9.weight'] = state.pop('layer1.0.bn2.weight')
    torch.save(state, out)
    with pytest.raises(KeyMismatchError, match='layer1.0.bn9.weight'):
        verify_export(out, 'torchvision')
