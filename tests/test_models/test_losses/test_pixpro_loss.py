# Copyright (c) mmpixpro contributors. All rights reserved.
import math

import pytest
import torch

from mmpixpro.models import PixProLoss


def test_loss_of_a_constructed_pair():
    # view A: 1x2 map, view B: 1x2 map, same wide box: bin_w = 0.5,
    # bin_h = 0.2, so the two bins are 0.5 / sqrt(0.29) = 0.93 apart and
    # bin i pairs with bin i only
    box = torch.tensor([[0.0, 0.0, 1.0, 0.2]])
    y = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]]])  # (1, 2, 1, 2)
    # y_0 = (1, 0), y_1 = (0, 1)
    x = torch.tensor([[[[1.0, 1.0]], [[1.0, 0.0]]]])
    # x'_0 = (1, 1)/sqrt2, x'_1 = (1, 0)
    loss = PixProLoss()(y, x, box, box)
    # positives: (0, 0) with cos 1/sqrt2 and (1, 1) with cos 0
    expected = -2 * (1 / math.sqrt(2) + 0.0) / (2 + 1e-6)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    # a square box: bins are 0.5 / sqrt(1.25) = 0.45 apart, all 4 pairs
    # are positive: cos = 1/sqrt2, 1, 1/sqrt2, 0
    square = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    loss = PixProLoss()(y, x, square, square)
    expected = -2 * (2 / math.sqrt(2) + 1.0) / (4 + 1e-6)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_image_without_positive_counts_in_the_mean():
    y = torch.randn(2, 8, 2, 2)
    x = y.clone()
    same = torch.tensor([0.0, 0.0, 1.0, 1.0])
    boxes_a = torch.stack([same, torch.tensor([0.0, 0.0, 0.4, 0.4])])
    boxes_b = torch.stack([same, torch.tensor([0.6, 0.6, 1.0, 1.0])])
    loss = PixProLoss()(y, x, boxes_a, boxes_b)
    # image 0: every positive has cos 1 -> 4 / (4 + 1e-6); image 1: 0
    expected = -2 * (4 / (4 + 1e-6) + 0.0) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_loss_ignores_negative_pairs_and_weight():
    box = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    y = torch.randn(1, 4, 2, 2)
    x = y.clone()
    x[:, :, 0, 1] = -y[:, :, 0, 0]  # change a bin y_0 is not paired with
    loss = PixProLoss(loss_weight=0.5)(y, x, box, box)
    cos_diag = torch.nn.functional.cosine_similarity(
        y.flatten(2), x.flatten(2), dim=1)[0]
    expected = 0.5 * -2 * cos_diag.sum() / (4 + 1e-6)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
