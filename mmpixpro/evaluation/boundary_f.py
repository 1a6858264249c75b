# Copyright (c) mmpixpro contributors. All rights reserved.
"""Boundary measure F of the DAVIS benchmark (contour accuracy).

Perazzi et al., "A Benchmark Dataset and Evaluation Methodology for Video
Object Segmentation", CVPR 2016 (https://arxiv.org/abs/1704.00675 for the
2017 challenge), as computed by the DAVIS-2017 evaluation
(davisvideochallenge/davis2017-evaluation, ``davis2017/metrics.py``),
re-implemented here:

* the boundary map of a binary mask M marks pixel (y, x) when M(y, x)
  differs from its east, south or south-east neighbour (a 1-pixel-wide
  contour, half a pixel towards the origin); on the last row only the east
  neighbour counts, on the last column only the south one, the last pixel
  is never a boundary;
* the tolerance is ``bound_th`` pixels when ``bound_th >= 1``, else
  ``ceil(bound_th * ||(H, W)||)`` (a fraction of the image diagonal;
  0.008 by default);
* a boundary pixel is matched when the other mask's boundary, dilated by a
  disk of that radius (all offsets with dy^2 + dx^2 <= r^2), covers it;
  precision P = matched predicted / predicted boundary pixels, recall
  R = matched ground-truth / ground-truth boundary pixels,
  F = 2 P R / (P + R) (0 when P + R = 0);
* empty boundaries: none predicted and some in the ground truth gives
  P = 1, R = 0; some predicted and none in the ground truth P = 0, R = 1;
  both empty P = R = 1 (F = 1);
* void pixels (label 255 in DAVIS annotations) are removed from both masks
  before their boundaries are taken.
"""
import math
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

DAVIS_BOUND_TH = 0.008


def boundary_tolerance(shape: Tuple[int, int],
                       bound_th: float = DAVIS_BOUND_TH) -> int:
    """The matching radius in pixels.

    Args:
        shape (tuple[int, int]): Mask (H, W).
        bound_th (float): Pixels when >= 1, else a fraction of the image
            diagonal. Defaults to 0.008.

    Returns:
        int: ``bound_th`` or ``ceil(bound_th * sqrt(H^2 + W^2))``.
    """
    if bound_th >= 1:
        return int(bound_th)
    return int(math.ceil(bound_th * math.hypot(*shape)))


def boundary_map(mask: Tensor) -> Tensor:
    """The 1-pixel boundary of a binary mask (DAVIS ``seg2bmap``).

    Args:
        mask (Tensor): (H, W) bool or 0/1.

    Returns:
        Tensor: (H, W) bool.
    """
    seg = mask.bool()
    east = torch.zeros_like(seg)
    south = torch.zeros_like(seg)
    south_east = torch.zeros_like(seg)
    east[:, :-1] = seg[:, 1:]
    south[:-1, :] = seg[1:, :]
    south_east[:-1, :-1] = seg[1:, 1:]
    bmap = (seg ^ east) | (seg ^ south) | (seg ^ south_east)
    bmap[-1, :] = seg[-1, :] ^ east[-1, :]
    bmap[:, -1] = seg[:, -1] ^ south[:, -1]
    bmap[-1, -1] = False
    return bmap


def disk(radius: int) -> Tensor:
    """Disk structuring element: offsets with dy^2 + dx^2 <= radius^2.

    Args:
        radius (int): r >= 0.

    Returns:
        Tensor: (2r + 1, 2r + 1) bool.
    """
    offsets = torch.arange(-radius, radius + 1)
    return offsets[:, None]**2 + offsets[None]**2 <= radius**2


def dilate(bmap: Tensor, radius: int) -> Tensor:
    """Binary dilation by :func:`disk` (pixels outside the image add
    nothing).

    Args:
        bmap (Tensor): (H, W) bool.
        radius (int): Disk radius r.

    Returns:
        Tensor: (H, W) bool.
    """
    if radius <= 0:
        return bmap.clone()
    kernel = disk(radius).float()[None, None]  # (1, 1, 2r+1, 2r+1)
    hits = F.conv2d(bmap.float()[None, None], kernel, padding=radius)
    return hits[0, 0] > 0.5


def boundary_precision_recall(pred: Tensor,
                              gt: Tensor,
                              void: Optional[Tensor] = None,
                              bound_th: float = DAVIS_BOUND_TH
                              ) -> Tuple[float, float]:
    """Boundary precision P and recall R of one binary mask.

    Args:
        pred (Tensor): (H, W) predicted mask.
        gt (Tensor): (H, W) ground-truth mask.
        void (Tensor, optional): (H, W) pixels left out of both.
        bound_th (float): See :func:`boundary_tolerance`.

    Returns:
        tuple[float, float]: P and R.
    """
    if pred.shape != gt.shape:
        raise ValueError(f'pred {tuple(pred.shape)} and gt '
                         f'{tuple(gt.shape)} differ in shape')
    pred, gt = pred.bool(), gt.bool()
    if void is not None:
        pred, gt = pred & ~void.bool(), gt & ~void.bool()
    radius = boundary_tolerance(tuple(gt.shape), bound_th)
    pred_b, gt_b = boundary_map(pred), boundary_map(gt)
    n_pred, n_gt = int(pred_b.sum()), int(gt_b.sum())
    if n_pred == 0 or n_gt == 0:
        return (1.0 if n_pred == 0 else 0.0), (1.0 if n_gt == 0 else 0.0)
    precision = int((pred_b & dilate(gt_b, radius)).sum()) / n_pred
    recall = int((gt_b & dilate(pred_b, radius)).sum()) / n_gt
    return precision, recall


def boundary_f(pred: Tensor,
               gt: Tensor,
               void: Optional[Tensor] = None,
               bound_th: float = DAVIS_BOUND_TH) -> float:
    """Boundary F-measure of one binary mask (DAVIS F).

    Args:
        pred (Tensor): (H, W) predicted mask.
        gt (Tensor): (H, W) ground-truth mask.
        void (Tensor, optional): (H, W) pixels left out of both.
        bound_th (float): See :func:`boundary_tolerance`.

    Returns:
        float: ``2 P R / (P + R)``, 0 when P + R = 0.
    """
    precision, recall = boundary_precision_recall(pred, gt, void, bound_th)
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)
