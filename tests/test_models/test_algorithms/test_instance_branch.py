# Copyright (c) mmpixpro contributors. All rights reserved.
import math

import pytest
import torch

from mmpixpro.models import InstanceBranchHead
from pixpro_testing import build, tiny_pixpro_cfg, two_views


def test_instance_head_value_on_a_constructed_pair():
    # identity predictor (0 layers) so the value is hand-computable
    head = InstanceBranchHead(
        in_channels=2, out_channels=2, num_layers=0, loss_weight=0.5)
    # image 0: z pixels (1, 0), (1, 2) -> mean (1, 1); target pixels
    # (0, 1), (0, 3) -> mean (0, 2): cos = 1 / sqrt(2)
    # image 1: z pixels (1, 0), (3, 0); target (2, 0), (2, 0): cos = 1
    z = torch.tensor([[[1.0, 1.0], [0.0, 2.0]],
                      [[1.0, 3.0], [0.0, 0.0]]]).reshape(2, 2, 1, 2)
    t = torch.tensor([[[0.0, 0.0], [1.0, 3.0]],
                      [[2.0, 2.0], [0.0, 0.0]]]).reshape(2, 2, 1, 2)
    p = head(z)
    assert p.shape == (2, 2)
    assert torch.allclose(p.norm(dim=1), torch.ones(2))
    expected = -2 * (1 / math.sqrt(2) + 1) / 2 * 0.5
    assert head.loss(z, t).item() == pytest.approx(expected, rel=1e-6)


def instance_cfg(alpha=1.0):
    return tiny_pixpro_cfg(
        type='PixProInstance',
        instance_neck=dict(
            type='PixelMLPNeck',
            in_channels=512,
            hid_channels=64,
            out_channels=32),
        instance_head=dict(
            type='InstanceBranchHead',
            in_channels=32,
            hid_channels=64,
            out_channels=32,
            loss_weight=alpha))


def test_pixpro_instance_losses_shapes_and_momentum():
    torch.manual_seed(0)
    model = build(instance_cfg())
    assert torch.equal(model.instance_neck.mlp[0].weight,
                       model.target_instance_neck.module.mlp[0].weight)
    with torch.no_grad():  # make online != target
        model.instance_neck.mlp[0].weight.add_(0.1)
    before = model.target_instance_neck.module.mlp[0].weight.clone()
    model.momentum = 0.9
    inputs, samples = two_views()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_pixel', 'loss_instance'}
    assert all(v.dim() == 0 and torch.isfinite(v) for v in losses.values())
    # -2 cos per direction, two directions: in [-4, 4]
    assert -4 <= losses['loss_instance'].item() <= 4
    after = model.target_instance_neck.module.mlp[0].weight
    assert torch.allclose(
        after, 0.9 * before + 0.1 * model.instance_neck.mlp[0].weight,
        atol=1e-6)
    sum(losses.values()).backward()
    assert model.instance_neck.mlp[0].weight.grad is not None
    assert model.instance_head.predictor[0].weight.grad is not None
    assert model.target_instance_neck.module.mlp[0].weight.grad is None


def test_instance_loss_is_the_symmetric_sum_and_alpha_scales_it():
    torch.manual_seed(0)
    model = build(instance_cfg(alpha=1.0)).train()
    torch.manual_seed(0)
    half = build(instance_cfg(alpha=0.5)).train()
    half.load_state_dict(model.state_dict())
    for m in (model, half):
        m.momentum = 1.0  # keep the targets fixed
    inputs, samples = two_views()
    losses = model.loss(inputs, samples)
    losses_half = half.loss(inputs, samples)
    assert losses_half['loss_instance'].item() == pytest.approx(
        0.5 * losses['loss_instance'].item(), rel=1e-5)
    assert losses_half['loss_pixel'].item() == pytest.approx(
        losses['loss_pixel'].item(), rel=1e-5)
    # by hand: z from the online instance projector on C5, targets from the
    # momentum copy, head loss in both directions
    z = [model.instance_neck(model.backbone(v))[-1] for v in inputs]
    with torch.no_grad():
        t = [
            model.target_instance_neck(model.target_net.module[0](v))[-1]
            for v in inputs
        ]
    expected = (model.instance_head.loss(z[0], t[1]) +
                model.instance_head.loss(z[1], t[0]))
    assert losses['loss_instance'].item() == pytest.approx(
        expected.item(), rel=1e-5)
