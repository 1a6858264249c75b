# Copyright (c) mmpixpro contributors. All rights reserved.
"""Which bins to show: PixPro's positive bins of a query (normalised
distance below ``T``, see :mod:`mmpixpro.models.utils.box_geometry`) and
the choice of query bins that have some."""
from typing import List, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from mmpixpro.models.utils import positive_mask
from .similarity import ArrayLike, Query


def _pair_mask(boxes: ArrayLike, feat_size_a: Tuple[int, int],
               feat_size_b: Tuple[int, int], threshold: float) -> Tensor:
    """:func:`~mmpixpro.models.utils.positive_mask` of one pair of views,
    (H_a * W_a, H_b * W_b)."""
    boxes = torch.as_tensor(np.asarray(boxes), dtype=torch.float32)
    return positive_mask(boxes[0:1], boxes[1:2], tuple(feat_size_a),
                         tuple(feat_size_b), threshold)[0]


def query_positives(boxes: ArrayLike,
                    feat_size_a: Tuple[int, int],
                    feat_size_b: Tuple[int, int],
                    queries: Sequence[Query],
                    threshold: float = 0.7) -> np.ndarray:
    """Positive bins of view B for each query bin of view A.

    Args:
        boxes (Tensor | np.ndarray): Crop boxes of views A and B, (2, 4).
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
        feat_size_b (tuple[int, int]): ``(H_b, W_b)`` of view B's features.
        queries (Sequence[tuple[int, int]]): ``(row, col)`` bins of view A.
        threshold (float): Distance threshold ``T``. Defaults to 0.7.

    Returns:
        np.ndarray: Boolean masks of shape (Q, H_b, W_b).
    """
    pos = _pair_mask(boxes, feat_size_a, feat_size_b, threshold)
    idx = [row * feat_size_a[1] + col for row, col in queries]
    return pos[idx].view(len(queries), *feat_size_b).numpy() > 0


def positive_bins(boxes: ArrayLike, feat_size_a: Tuple[int, int],
                  feat_size_b: Tuple[int, int],
                  threshold: float = 0.7) -> np.ndarray:
    """Bins of view A with at least one positive bin in view B.

    These are the bins that PixPro's loss uses (a row of
    :func:`~mmpixpro.models.utils.positive_mask` with a non-zero entry).

    Args:
        boxes (Tensor | np.ndarray): Crop boxes of views A and B, (2, 4).
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
        feat_size_b (tuple[int, int]): ``(H_b, W_b)`` of view B's features.
        threshold (float): Distance threshold ``T``. Defaults to 0.7.

    Returns:
        np.ndarray: Boolean mask of shape (H_a, W_a).
    """
    pos = _pair_mask(boxes, feat_size_a, feat_size_b, threshold)
    return (pos.sum(1) > 0).view(*feat_size_a).numpy()


def query_candidates(boxes: np.ndarray, feat_size: Tuple[int, int],
                     threshold: float) -> np.ndarray:
    """Flat indices of :func:`positive_bins` (both maps ``feat_size``).

    Args:
        boxes (np.ndarray): Boxes of views A and B, (2, 4).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of both feature maps.
        threshold (float): Distance threshold T.

    Returns:
        np.ndarray: Flat (row-major) bin indices of view A.
    """
    return np.flatnonzero(
        positive_bins(boxes, feat_size, feat_size, threshold))


def pick_queries(candidates: np.ndarray, feat_size: Tuple[int, int],
                 num: int, rng: np.random.Generator) -> List[Tuple[int, int]]:
    """Choose query bins, preferring those with positives.

    Args:
        candidates (np.ndarray): Flat indices of bins with positives.
        feat_size (tuple[int, int]): ``(H_f, W_f)``.
        num (int): Number of queries (at most ``H_f * W_f``).
        rng (np.random.Generator): Random generator.

    Returns:
        list[tuple[int, int]]: ``(row, col)`` queries, sorted.
    """
    num = min(num, feat_size[0] * feat_size[1])
    chosen = list(rng.permutation(candidates)[:num])
    others = np.setdiff1d(np.arange(feat_size[0] * feat_size[1]), candidates)
    chosen += list(rng.permutation(others)[:num - len(chosen)])
    return [divmod(int(i), feat_size[1]) for i in sorted(chosen)]
