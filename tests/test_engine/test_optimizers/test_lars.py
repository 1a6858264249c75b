# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch
from mmpretrain.models import ResNet
from torch import nn

from mmpixpro.engine import PixProLARS, lars_excluded


def tiny_net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, bias=True), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Flatten(), nn.Linear(4 * 4 * 4, 2))


def test_excludes_every_1d_parameter_whatever_its_name():
    net = ResNet(depth=18)
    opt = PixProLARS(net.parameters(), lr=1.0)
    group = opt.param_groups[0]
    names = {
        name
        for name, p in net.named_parameters() if lars_excluded(p, group)
    }
    expected = {name for name, p in net.named_parameters() if p.ndim == 1}
    assert names == expected
    # BN weights/biases incl. the downsample BN ('downsample.1'): excluded
    assert 'layer2.0.downsample.1.weight' in names
    assert 'bn1.bias' in names
    assert not any(name.endswith('conv1.weight') for name in names)
    assert not lars_excluded(torch.zeros(2, 2), group)


def test_one_step_by_hand():
    net = tiny_net()
    lr, wd, eta = 0.5, 0.1, 0.001
    opt = PixProLARS(net.parameters(), lr=lr, momentum=0.9, weight_decay=wd,
                     eta=eta)
    params = list(net.parameters())
    for p in params:
        p.grad = torch.full_like(p, 0.3)
    before = [p.detach().clone() for p in params]
    opt.step()
    for p, w in zip(params, before):
        g = torch.full_like(w, 0.3)
        if w.ndim == 1:  # plain SGD at the full lr: no decay, no trust ratio
            expected = w - lr * g
        else:
            d = g + wd * w
            trust = eta * w.norm() / (d.norm() + 1e-8)
            expected = w - lr * trust * d
        assert torch.allclose(p.detach(), expected, atol=1e-7)


def test_momentum_buffer_second_step():
    w = nn.Parameter(torch.tensor([1.0, 2.0]))  # 1-D: plain SGD momentum
    opt = PixProLARS([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    for _ in range(2):
        w.grad = torch.tensor([1.0, 1.0])
        opt.step()
    # buf1 = g; buf2 = 0.9 g + g = 1.9 g; w = w0 - 0.1 (1 + 1.9) g
    assert torch.allclose(w.detach(), torch.tensor([0.71, 1.71]))


def test_zero_weight_gets_unit_trust_ratio():
    w = nn.Parameter(torch.zeros(2, 2))
    opt = PixProLARS([w], lr=1.0, momentum=0.0, weight_decay=0.0)
    w.grad = torch.ones(2, 2)
    opt.step()
    assert torch.allclose(w.detach(), -torch.ones(2, 2))


def test_group_flag_and_switch():
    w = nn.Parameter(torch.ones(2, 2))
    opt = PixProLARS([dict(params=[w], lars_exclude=True)], lr=1.0,
                     momentum=0.0, weight_decay=1.0)
    w.grad = torch.ones(2, 2)
    opt.step()
    assert torch.allclose(w.detach(), torch.zeros(2, 2))
    b = nn.Parameter(torch.ones(3))
    opt = PixProLARS([b], lr=1.0, momentum=0.0, exclude_1d=False)
    assert not lars_excluded(b, opt.param_groups[0])
    with pytest.raises(ValueError, match='lr'):
        PixProLARS([b], lr=-1.0)
