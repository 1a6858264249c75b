# Copyright (c) mmpixpro contributors. All rights reserved.
import math

import pytest
import torch

from mmpixpro.models import PixContrastLoss, PixelContrastHead

# Flat boxes (height 0.1) so that distances along x decide. View A: box
# (0, 0, 1, 0.1) on a 1 x 2 map -> bin centres x = 0.25, 0.75, diagonal
# sqrt(0.5^2 + 0.1^2) = 0.5099. View B: box (0, 0, 0.6, 0.1) on a 1 x 3 map
# -> centres x = 0.1, 0.3, 0.5, diagonal sqrt(0.2^2 + 0.1^2) = 0.2236.
# Normalised by max diagonal 0.5099, with T = 0.4:
#   A0 -> B0 0.15/0.51 = 0.29 pos, B1 0.05/0.51 = 0.10 pos, B2 0.49 neg
#   A1 -> B0 1.27, B1 0.88, B2 0.49: no positive at all
BOX_A = torch.tensor([[0.0, 0.0, 1.0, 0.1]])
BOX_B = torch.tensor([[0.0, 0.0, 0.6, 0.1]])


def maps():
    # (N=1, C=2, 1, W): A0 = e1, A1 = e2; B0 = e1, B1 = e2, B2 = (.6, .8)
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).T.reshape(1, 2, 1, 2)
    b = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]]).T.reshape(
        1, 2, 1, 3)
    return a, b


def test_hand_computed_value_with_a_pixel_without_positive():
    a, b = maps()
    loss = PixContrastLoss(temperature=0.3, pos_threshold=0.4)
    # only A0 counts: cos with B0, B1, B2 = 1, 0, 0.6; positives B0, B1
    tau = 0.3
    pos = math.exp(1 / tau) + math.exp(0)
    expected = -math.log(pos / (pos + math.exp(0.6 / tau)))  # 0.2259
    assert loss(a, b, BOX_A, BOX_B).item() == pytest.approx(expected,
                                                            rel=1e-5)
    # the feature scale does not matter (cosine), the weight multiplies
    weighted = PixContrastLoss(0.3, 0.4, loss_weight=2.0)
    assert weighted(3 * a, 0.5 * b, BOX_A,
                    BOX_B).item() == pytest.approx(2 * expected, rel=1e-5)


def test_pixel_without_positive_has_zero_and_finite_gradient():
    a, b = maps()
    a.requires_grad_(True)
    PixContrastLoss(0.3, 0.4)(a, b, BOX_A, BOX_B).backward()
    assert torch.isfinite(a.grad).all()
    assert torch.count_nonzero(a.grad[..., 1]) == 0  # A1: no positive
    assert torch.count_nonzero(a.grad[..., 0]) > 0


def test_no_positive_anywhere_gives_zero():
    a, b = maps()
    far = torch.tensor([[5.0, 0.0, 6.0, 0.1]])
    out = PixContrastLoss(0.3, 0.4)(a, b, BOX_A, far)
    assert out.item() == 0.0


def test_mean_is_over_pixels_with_positive_across_the_batch():
    a, b = maps()
    loss = PixContrastLoss(0.3, 0.4)
    single = loss(a, b, BOX_A, BOX_B)
    # image 1: identical boxes, 1 x 2 maps: neighbours are 0.98 apart, so
    # each pixel has only itself as positive
    a2 = torch.tensor([[1.0, 0.0], [0.0, 1.0]]).T.reshape(1, 2, 1, 2)
    b2 = torch.tensor([[1.0, 0.0], [1.0, 0.0]]).T.reshape(1, 2, 1, 2)
    # pixel 0: cos (1, 1) pos = col 0 -> -log(e^(1/t) / (2 e^(1/t))) = log 2
    # pixel 1: cos (0, 0) pos = col 1 -> log 2
    batch_a = torch.cat([a, a2])
    batch_b = torch.cat([b[..., :2], b2])  # B of image 0 cut to 2 columns
    box_b0 = torch.tensor([[0.0, 0.0, 0.4, 0.1]])  # same bins as before
    got = loss(batch_a, batch_b, torch.cat([BOX_A, BOX_A]),
               torch.cat([box_b0, BOX_A]))
    # image 0, B box (0, 0, 0.4, 0.1) on 1 x 2: centres 0.1, 0.3 -> A0 has
    # both B pixels as positives (loss 0), A1 none (0.88, 1.27). Image 1:
    # two pixels, log 2 each. Mean over the 3 pixels with a positive.
    assert got.item() == pytest.approx(2 * math.log(2) / 3, rel=1e-5)
    assert single.item() > 0


def test_head_is_identity_plus_loss():
    a, b = maps()
    head = PixelContrastHead(
        loss=dict(type='PixContrastLoss', temperature=0.3,
                  pos_threshold=0.4))
    assert head(a) is a
    assert head.loss(a, b, BOX_A,
                     BOX_B).item() == pytest.approx(
                         PixContrastLoss(0.3, 0.4)(a, b, BOX_A, BOX_B).item())
