# Copyright (c) mmpixpro contributors. All rights reserved.
"""Probe details: reduced training labels and class-balance weights."""
import pytest
import torch

from mmpixpro.evaluation import class_weights, reduce_labels


def test_reduce_labels_nearest_keeps_blocks():
    # 2 x 2 blocks of 4 x 4 pixels -> one pixel per block
    block = torch.tensor([[0, 1], [2, 255]])
    labels = block.repeat_interleave(4, 0).repeat_interleave(4, 1)[None]
    assert torch.equal(reduce_labels(labels, (2, 2)), block[None])
    assert reduce_labels(labels, (2, 2)).dtype == torch.long


def test_reduce_labels_never_enlarges():
    labels = torch.randint(0, 3, (2, 8, 8))
    assert reduce_labels(labels, (16, 16)) is labels
    assert reduce_labels(labels, None) is labels


def test_class_weights_by_hand():
    # class 0: 9 pixels, class 1: 1 pixel, class 2 absent, 255 ignored
    labels = torch.tensor([0] * 9 + [1] + [255] * 5)
    w = class_weights(labels, 3, power=0.5)
    # (10/9)^0.5 and (10/1)^0.5, normalised to mean 1 over present classes
    raw = torch.tensor([(10 / 9)**0.5, 10**0.5])
    expected = raw / raw.mean()
    assert w[:2] == pytest.approx(expected.tolist(), rel=1e-6)
    assert w[2] == 0
    assert w[1] / w[0] == pytest.approx(3.0, rel=1e-6)


def test_class_weights_power_zero_is_plain():
    assert class_weights(torch.tensor([0, 1, 1]), 2, power=0) is None
