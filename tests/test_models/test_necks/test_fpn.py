# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmpixpro.checkpoint import shapes_of
from mmpixpro.models import FPN
from mmpixpro.models.utils import bin_centers
from pixpro_testing import (MMDET_MASK_RCNN_FPN, build, tiny_pixpro_cfg,
                            two_views)

# RetinaNet: FPN(in_channels=[256, 512, 1024, 2048], out_channels=256,
# start_level=1, add_extra_convs='on_input', num_outs=5): C3-C5, P3-P7
MMDET_RETINANET_FPN = {
    'lateral_convs.0.conv.weight': (256, 512, 1, 1),
    'lateral_convs.0.conv.bias': (256, ),
    'lateral_convs.1.conv.weight': (256, 1024, 1, 1),
    'lateral_convs.1.conv.bias': (256, ),
    'lateral_convs.2.conv.weight': (256, 2048, 1, 1),
    'lateral_convs.2.conv.bias': (256, ),
    'fpn_convs.0.conv.weight': (256, 256, 3, 3),
    'fpn_convs.0.conv.bias': (256, ),
    'fpn_convs.1.conv.weight': (256, 256, 3, 3),
    'fpn_convs.1.conv.bias': (256, ),
    'fpn_convs.2.conv.weight': (256, 256, 3, 3),
    'fpn_convs.2.conv.bias': (256, ),
    'fpn_convs.3.conv.weight': (256, 2048, 3, 3),  # P6 on C5
    'fpn_convs.3.conv.bias': (256, ),
    'fpn_convs.4.conv.weight': (256, 256, 3, 3),  # P7 on P6
    'fpn_convs.4.conv.bias': (256, ),
}


@pytest.mark.parametrize('kwargs,expected', [
    (dict(num_outs=5), MMDET_MASK_RCNN_FPN),
    (dict(num_outs=5, start_level=1, add_extra_convs='on_input'),
     MMDET_RETINANET_FPN),
])
def test_fpn_keys_and_shapes_are_mmdet_s(kwargs, expected):
    fpn = FPN(in_channels=[256, 512, 1024, 2048], out_channels=256, **kwargs)
    assert shapes_of(fpn.state_dict()) == expected


def test_fpn_outputs_and_extra_levels():
    fpn = FPN([8, 16, 32, 64], 4, num_outs=5)
    fpn.init_weights()
    feats = [torch.randn(1, c, s, s) for c, s in ((8, 16), (16, 8), (32, 4),
                                                  (64, 2))]
    outs = fpn(feats)
    assert [o.shape[-1] for o in outs] == [16, 8, 4, 2, 1]
    assert torch.equal(outs[4], F.max_pool2d(outs[3], 1, stride=2))
    # top-down: P4 = conv3x3(lateral(C4) + up(lateral(C5)))
    lat5 = fpn.lateral_convs[3](feats[3])
    lat4 = fpn.lateral_convs[2](feats[2]) + F.interpolate(lat5, size=(4, 4))
    assert torch.allclose(outs[2], fpn.fpn_convs[2](lat4), atol=1e-6)


def fpn_pixpro(in_index):
    return build(
        tiny_pixpro_cfg(
            backbone=dict(type='ResNet', depth=18, out_indices=(0, 1, 2, 3)),
            fpn=dict(
                type='FPN',
                in_channels=[64, 128, 256, 512],
                out_channels=16,
                num_outs=5),
            neck=dict(
                type='PixelMLPNeck',
                in_channels=16,
                hid_channels=32,
                out_channels=16,
                in_index=in_index),
            head=dict(type='PixelPropagationHead', in_channels=16)))


def test_two_levels_map_to_the_same_box_with_their_own_grid():
    model = fpn_pixpro(in_index=(3, 4))  # P5, P6
    x = model.project(torch.randn(1, 3, 128, 128))
    assert [tuple(m.shape[-2:]) for m in x] == [(4, 4), (2, 2)]
    box = torch.tensor([[0.2, 0.1, 0.6, 0.9]])
    # P5, 4 x 4: bin (0.1, 0.2) -> x 0.25 .. 0.55, y 0.2 .. 0.8
    c5, d5 = bin_centers(box, x[0].shape[-2:])
    xs, ys = [0.25, 0.35, 0.45, 0.55], [0.2, 0.4, 0.6, 0.8]
    assert torch.allclose(c5[0], torch.tensor([[cx, cy] for cy in ys
                                               for cx in xs]))
    assert d5.item() == pytest.approx((0.1**2 + 0.2**2)**0.5)
    # P6, 2 x 2: bin (0.2, 0.4) -> x 0.3, 0.5; y 0.3, 0.7
    c6, _ = bin_centers(box, x[1].shape[-2:])
    assert torch.allclose(
        c6[0], torch.tensor([[0.3, 0.3], [0.5, 0.3], [0.3, 0.7],
                             [0.5, 0.7]]))
    # flipped: x_ul and x_lr swapped -> the columns run right to left
    c6f, _ = bin_centers(torch.tensor([[0.6, 0.1, 0.2, 0.9]]), (2, 2))
    assert torch.allclose(c6f[0, :2, 0], torch.tensor([0.5, 0.3]))


def test_fpn_pixpro_loss_is_the_level_mean_and_keys_export():
    torch.manual_seed(0)
    model = fpn_pixpro(in_index=(1, 2, 3, 4)).train()  # P3-P6
    model.momentum = 1.0
    inputs, samples = two_views(size=64)
    torch.manual_seed(1)
    loss = model.loss(inputs, samples)['loss']
    boxes = model.gather_boxes(samples, torch.device('cpu'))
    x = [model.project(v) for v in inputs]
    with torch.no_grad():
        t = [model.target_net(v) for v in inputs]
    assert [m.shape[-1] for m in x[0]] == [8, 4, 2, 1]
    per_level = [
        model.head.loss(x[0][lvl], t[1][lvl], boxes[:, 0], boxes[:, 1]) +
        model.head.loss(x[1][lvl], t[0][lvl], boxes[:, 1], boxes[:, 0])
        for lvl in range(4)
    ]
    assert loss.item() == pytest.approx(
        sum(per_level).item() / 4, rel=1e-5)
    # the FPN is stored as `fpn` with mmdet's names; its momentum copy is
    # the second module of the target chain; the online FPN gets gradients
    state = model.state_dict()
    fpn_keys = {k[4:] for k in state if k.startswith('fpn.')}
    assert fpn_keys == set(FPN([64, 128, 256, 512], 16, 5).state_dict())
    assert all(f'target_net.module.1.{k}' in state for k in fpn_keys)
    loss.backward()
    assert model.fpn.lateral_convs[3].conv.weight.grad is not None
    assert model.target_net.module[1].lateral_convs[3].conv.weight.grad is None
