# Copyright (c) mmpixpro contributors. All rights reserved.
"""Exactly corresponding points of two views in their overlap (DenseSiam).

`Dense Siamese Network for Dense Unsupervised Learning
<https://arxiv.org/abs/2203.11075>`_ compares the two views' dense outputs
at the same points of the original image: the points of a regular
``S x S`` grid over the intersection of the two crops, sampled from each
view's feature map by bilinear interpolation (the paper's "grid sampling
... in the overlapped area").

Boxes follow :mod:`mmpixpro.models.utils.box_geometry`: ``(x_ul, y_ul,
x_lr, y_lr)`` in normalised original-image coordinates, a horizontal flip
swapping ``x_ul`` and ``x_lr``. A view's feature map spans its box edge to
edge (bin ``col`` of ``W_f`` has its centre at ``x_ul + (col + 0.5) *
(x_lr - x_ul) / W_f``, as :func:`bin_centers`), so an original-image point
``u`` lies at the fraction ``t = (u - x_ul) / (x_lr - x_ul)`` of the map,
which is ``2 t - 1`` in :func:`torch.nn.functional.grid_sample`'s
``align_corners=False`` coordinates; with a flip the denominator is
negative and ``t`` runs right to left, so no special case is needed.

The grid point ``(i, j)`` of the overlap ``[X_0, X_1] x [Y_0, Y_1]`` is
``(X_0 + (j + 0.5) (X_1 - X_0) / S, Y_0 + (i + 0.5) (Y_1 - Y_0) / S)``:
RoIAlign with one sample per bin, at the bin centres.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def overlap_boxes(boxes_a: Tensor, boxes_b: Tensor) -> Tuple[Tensor, Tensor]:
    """Intersection of two views' boxes in the original image.

    Args:
        boxes_a (Tensor): Crop boxes of view A, (N, 4), possibly flipped
            (``x_ul > x_lr``).
        boxes_b (Tensor): Crop boxes of view B, (N, 4).

    Returns:
        tuple[Tensor, Tensor]: The overlaps ``(X_0, Y_0, X_1, Y_1)`` of
        shape (N, 4) with ``X_0 <= X_1`` (unflipped; an empty overlap is
        returned as the degenerate box at its nearest ends), and a (N, )
        float mask, 1 where the overlap has a positive area.
    """
    a = boxes_a.float()
    b = boxes_b.float()
    lo_a = torch.minimum(a[:, :2], a[:, 2:])  # (N, 2) as (x, y)
    hi_a = torch.maximum(a[:, :2], a[:, 2:])
    lo_b = torch.minimum(b[:, :2], b[:, 2:])
    hi_b = torch.maximum(b[:, :2], b[:, 2:])
    lo = torch.maximum(lo_a, lo_b)
    hi = torch.minimum(hi_a, hi_b)
    valid = (hi > lo).all(dim=1).float()  # (N, )
    hi = torch.maximum(hi, lo)
    return torch.cat([lo, hi], dim=1), valid


def overlap_points(overlap: Tensor, size: int) -> Tensor:
    """The ``S x S`` grid points of each overlap (bin centres).

    Args:
        overlap (Tensor): Overlaps ``(X_0, Y_0, X_1, Y_1)``, (N, 4).
        size (int): ``S``, points per side.

    Returns:
        Tensor: Points (N, S, S, 2) as (x, y) in normalised original-image
        coordinates, row ``i`` (y) first, column ``j`` (x) second.
    """
    steps = (torch.arange(size, device=overlap.device,
                          dtype=overlap.dtype) + 0.5) / size  # (S, )
    xs = overlap[:, 0:1] + steps[None] * (overlap[:, 2:3] - overlap[:, 0:1])
    ys = overlap[:, 1:2] + steps[None] * (overlap[:, 3:4] - overlap[:, 1:2])
    return torch.stack(
        [xs[:, None, :].expand(-1, size, -1),
         ys[:, :, None].expand(-1, -1, size)], dim=-1)


def view_grid(points: Tensor, boxes: Tensor) -> Tensor:
    """Original-image points in a view's ``grid_sample`` coordinates.

    ``g = 2 (u - x_ul) / (x_lr - x_ul) - 1`` per axis (``align_corners=
    False``: -1 and 1 are the outer edges of the view's feature map).

    Args:
        points (Tensor): Points (N, S, S, 2) as (x, y) in the original image.
        boxes (Tensor): The view's crop boxes, (N, 4), possibly flipped.

    Returns:
        Tensor: Grid (N, S, S, 2) for ``grid_sample`` on that view.
    """
    b = boxes.to(points.dtype)
    origin = b[:, None, None, :2]  # (N, 1, 1, 2)
    extent = (b[:, 2:] - b[:, :2])[:, None, None, :]
    return 2 * (points - origin) / extent - 1


def sample_overlap(feats: Tensor, boxes: Tensor, overlap: Tensor,
                   size: int) -> Tensor:
    """Bilinear samples of a view's map at the overlap's grid points.

    Args:
        feats (Tensor): The view's feature map, (N, C, H_f, W_f).
        boxes (Tensor): The view's crop boxes, (N, 4).
        overlap (Tensor): Overlaps with the other view, (N, 4)
            (:func:`overlap_boxes`).
        size (int): ``S``, points per side.

    Returns:
        Tensor: Features (N, C, S, S) in float32; entry ``(i, j)`` of two
        views sampled with the same overlap is the same point of the
        original image.
    """
    grid = view_grid(overlap_points(overlap.float(), size), boxes.float())
    # in float32 (autocast runs grid_sample in float32 too): a bfloat16
    # grid would move the points by up to 2 ** -8 of the map
    return F.grid_sample(
        feats.float(), grid, mode='bilinear', padding_mode='border',
        align_corners=False)
