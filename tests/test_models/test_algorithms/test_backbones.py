# Copyright (c) mmpixpro contributors. All rights reserved.
"""PixPro takes the projector's input channels and the feature size from the
backbone: any mmpretrain backbone that returns a feature map works."""
import pytest
import torch
from mmpretrain.models import ResNet

from mmpixpro.models.utils import probe_feature_channels
from pixpro_testing import build, tiny_pixpro_cfg, two_views


@pytest.mark.parametrize('backbone,channels,grid', [
    (dict(type='ResNet', depth=18), 512, 2),
    (dict(type='ResNet', depth=50), 2048, 2),
    (dict(type='ResNet', depth=101), 2048, 2),
    (dict(type='ResNet', depth=50, out_indices=(2, )), 1024, 4),  # C4
    (dict(type='ConvNeXt', arch='atto', gap_before_final_norm=False), 320,
     2),
])
@pytest.mark.slow
def test_pixpro_on_any_feature_map_backbone(backbone, channels, grid):
    torch.manual_seed(0)
    model = build(
        tiny_pixpro_cfg(
            backbone=backbone,
            neck=dict(
                type='PixelMLPNeck',
                in_channels=None,  # from the backbone
                hid_channels=32,
                out_channels=16),
            head=dict(type='PixelPropagationHead', in_channels=16)))
    assert model.neck.mlp[0].in_channels == channels
    assert model.target_net.module[1].mlp[0].in_channels == channels
    assert model.backbone.training  # the probe restored train mode
    inputs, samples = two_views(size=64)
    x = model.project(inputs[0])[0]
    assert x.shape == (2, 16, grid, grid)
    loss = model.loss(inputs, samples)['loss']
    assert torch.isfinite(loss)
    loss.backward()


def test_probe_rejects_pooled_outputs_and_mixed_channels():
    convnext = build(dict(type='ConvNeXt', arch='atto'))  # pooled vector
    with pytest.raises(ValueError, match='feature maps'):
        probe_feature_channels([convnext], (64, 64))
    resnet = ResNet(depth=18, out_indices=(2, 3))
    with pytest.raises(ValueError, match='equal channels'):
        probe_feature_channels([resnet], (64, 64))
