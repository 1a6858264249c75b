# Copyright (c) mmpixpro contributors. All rights reserved.
"""Pixel-to-pixel cosine similarity between the feature maps of two views.

For a query bin ``(row, col)`` of view A, the cosine similarity of its
feature to every bin of view B, and that map resized to a view's pixels.
"""
from typing import Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

ArrayLike = Union[Tensor, np.ndarray]
Query = Tuple[int, int]  # (row, col) of a feature bin


def cosine_similarity_maps(feat_a: Tensor, feat_b: Tensor,
                           queries: Sequence[Query]) -> Tensor:
    """Cosine similarity of query pixels of view A to all pixels of view B.

    Args:
        feat_a (Tensor): Feature map of view A, (C, H_a, W_a).
        feat_b (Tensor): Feature map of view B, (C, H_b, W_b).
        queries (Sequence[tuple[int, int]]): ``(row, col)`` bins of view A.

    Returns:
        Tensor: Similarities of shape (Q, H_b, W_b), in [-1, 1].
    """
    if feat_a.dim() != 3 or feat_b.dim() != 3:
        raise ValueError('feature maps must be (C, H, W), got '
                         f'{tuple(feat_a.shape)} and {tuple(feat_b.shape)}')
    if feat_a.shape[0] != feat_b.shape[0]:
        raise ValueError(f'channel mismatch: {feat_a.shape[0]} vs '
                         f'{feat_b.shape[0]}')
    _, h_a, w_a = feat_a.shape
    check_queries(queries, (h_a, w_a))
    rows = torch.tensor([q[0] for q in queries], dtype=torch.long)
    cols = torch.tensor([q[1] for q in queries], dtype=torch.long)
    query_feats = F.normalize(feat_a[:, rows, cols].t().float(), dim=1)
    feats_b = F.normalize(feat_b.float(), dim=0)  # (C, H_b, W_b)
    return torch.einsum('qc,chw->qhw', query_feats, feats_b)


def check_queries(queries: Sequence[Query], size: Tuple[int, int]) -> None:
    """Check that there are queries and that they lie on a grid.

    Args:
        queries (Sequence[tuple[int, int]]): ``(row, col)`` bins.
        size (tuple[int, int]): ``(H, W)`` of the grid.

    Raises:
        ValueError: If ``queries`` is empty or one lies outside the grid.
    """
    if len(queries) == 0:
        raise ValueError('need at least one query')
    for row, col in queries:
        if not (0 <= row < size[0] and 0 <= col < size[1]):
            raise ValueError(f'query {(row, col)} outside the feature map '
                             f'of size {tuple(size)}')


def upsample_map(sim_map: ArrayLike, size: Tuple[int, int]) -> np.ndarray:
    """Bilinearly resize one (h, w) map to ``size`` = (H, W).

    Args:
        sim_map (Tensor | np.ndarray): Map of shape (h, w).
        size (tuple[int, int]): Output ``(H, W)``.

    Returns:
        np.ndarray: float32 map of shape (H, W).
    """
    t = torch.as_tensor(np.asarray(sim_map), dtype=torch.float32)
    t = F.interpolate(
        t[None, None], size=tuple(size), mode='bilinear', align_corners=False)
    return t[0, 0].numpy()
