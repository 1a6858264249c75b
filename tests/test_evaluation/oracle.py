# Copyright (c) mmpixpro contributors. All rights reserved.
"""Constructed backbones and images for the evaluation tests.

Images encode their label in the red channel (``label * 20``), in blocks of
``PATCH`` pixels, so the oracle backbone can read the label back exactly.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

PATCH = 8
K = 3


class OracleBackbone(nn.Module):
    """One-hot of the label encoded in the image, one vector per patch."""

    def __init__(self) -> None:
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        red = x[:, 0] * 58.395 + 123.675  # undo the normalisation
        label = F.avg_pool2d(red[:, None], PATCH).round().long() // 20
        return F.one_hot(label[:, 0].clamp(0, K - 1), K).permute(
            0, 3, 1, 2).float()


class ConstantBackbone(nn.Module):
    """The same feature everywhere, whatever the image."""

    def __init__(self) -> None:
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.ones(x.shape[0], 4, x.shape[2] // PATCH,
                          x.shape[3] // PATCH)


def block_labels(rng: np.random.Generator, cells: int = 4,
                 block: int = PATCH) -> np.ndarray:
    """A random label map made of ``block`` x ``block`` squares."""
    small = rng.integers(0, K, (cells, cells))
    return np.kron(small, np.ones((block, block), dtype=np.int64))


def encode(label: np.ndarray) -> np.ndarray:
    """An RGB image whose red channel stores the label."""
    image = np.zeros(label.shape + (3, ), dtype=np.uint8)
    image[..., 0] = label * 20
    return image


class PairList(list):
    """A list of (image, label) pairs with ``num_classes``."""
    num_classes = K


def make_split(seed: int, num: int, block: int = PATCH) -> PairList:
    rng = np.random.default_rng(seed)
    labels = [block_labels(rng, block=block) for _ in range(num)]
    return PairList((encode(lab), lab) for lab in labels)
