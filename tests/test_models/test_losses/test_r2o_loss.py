# Copyright (c) mmpixpro contributors. All rights reserved.
"""R2O's masked BYOL loss against explicit loops over (image, mask)."""
import math

import torch

from mmpixpro.models.losses import MaskedBYOLLoss


def reference(pred, target, weight):
    num, den = 0.0, 0.0
    for r in range(pred.shape[0]):
        p = [float(v) for v in pred[r]]
        t = [float(v) for v in target[r]]
        pn = math.sqrt(sum(v * v for v in p))
        tn = math.sqrt(sum(v * v for v in t))
        cos = sum(a * b for a, b in zip(p, t)) / (pn * tn)
        num += float(weight[r]) * (2 - 2 * cos)
        den += float(weight[r])
    return num / den


def test_masked_byol_loss_of_constructed_pair():
    g = torch.Generator().manual_seed(0)
    pred = torch.randn(12, 5, generator=g, requires_grad=True)
    target = torch.randn(12, 5, generator=g)
    weight = torch.tensor([1., 0., 1., 1., 0., 0., 1., 1., 1., 0., 1., 0.])
    loss = MaskedBYOLLoss()(pred, target, weight)
    assert abs(float(loss) - reference(pred, target, weight)) < 1e-5
    loss.backward()
    # rows without a shared mask get no gradient
    assert pred.grad[weight == 0].abs().sum() == 0


def test_masked_byol_loss_known_values_and_empty():
    pred = torch.tensor([[1., 0.], [0., 2.]])
    target = torch.tensor([[3., 0.], [5., 0.]])  # cos 1 and cos 0
    loss = MaskedBYOLLoss()(pred, target, torch.ones(2))
    assert abs(float(loss) - 1.0) < 1e-6  # (0 + 2) / 2
    empty = MaskedBYOLLoss()(pred, target, torch.zeros(2))
    assert float(empty) == 0.0
