# Copyright (c) mmpixpro contributors. All rights reserved.
"""Geometry of crop boxes and feature bins (PixPro paper, Sec. 3.1).

A view carries its crop box in the original image as ``(x_ul, y_ul, x_lr,
y_lr)``, normalised to [0, 1] by ``W - 1`` and ``H - 1``. A horizontal flip
swaps ``x_ul`` and ``x_lr``, so a box width may be negative. Every bin of an
``H_f x W_f`` feature map is mapped back to a point of the original image;
two bins of two views are a positive pair when their normalised distance is
below a threshold ``T``.

These are pure functions shared by the PixPro loss, PixContrast, FPN levels
and the visualisations.
"""
from typing import Tuple

import torch
from torch import Tensor


def bin_centers(boxes: Tensor, feat_size: Tuple[int, int]) -> Tuple[Tensor,
                                                                     Tensor]:
    """Centres of the feature bins in normalised original-image coordinates.

    ``bin_w = (x_lr - x_ul) / W_f`` (signed), ``bin_h = (y_lr - y_ul) / H_f``
    and bin ``(row, col)`` has centre ``((col + 0.5) * bin_w + x_ul,
    (row + 0.5) * bin_h + y_ul)``.

    Args:
        boxes (Tensor): Crop boxes of shape (N, 4).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the feature map.

    Returns:
        tuple[Tensor, Tensor]: Centres of shape (N, H_f * W_f, 2) as (x, y),
        in row-major bin order, and the bin diagonals
        ``sqrt(bin_w ** 2 + bin_h ** 2)`` of shape (N, ).
    """
    h_f, w_f = feat_size
    boxes = boxes.float()
    bin_w = (boxes[:, 2] - boxes[:, 0]) / w_f  # (N, )
    bin_h = (boxes[:, 3] - boxes[:, 1]) / h_f  # (N, )
    cols = torch.arange(w_f, device=boxes.device, dtype=boxes.dtype) + 0.5
    rows = torch.arange(h_f, device=boxes.device, dtype=boxes.dtype) + 0.5
    cx = cols[None] * bin_w[:, None] + boxes[:, 0:1]  # (N, W_f)
    cy = rows[None] * bin_h[:, None] + boxes[:, 1:2]  # (N, H_f)
    centers = torch.stack(
        [
            cx[:, None, :].expand(-1, h_f, -1),
            cy[:, :, None].expand(-1, -1, w_f)
        ],
        dim=-1).reshape(boxes.shape[0], h_f * w_f, 2)
    diag = torch.sqrt(bin_w**2 + bin_h**2)
    return centers, diag


def normalized_bin_distance(boxes_a: Tensor, boxes_b: Tensor,
                            size_a: Tuple[int, int],
                            size_b: Tuple[int, int]) -> Tensor:
    """Distance between every bin of view A and every bin of view B.

    The Euclidean distance of the bin centres is divided by
    ``max(diag_A, diag_B)`` of the same sample.

    Args:
        boxes_a (Tensor): Crop boxes of view A, shape (N, 4).
        boxes_b (Tensor): Crop boxes of view B, shape (N, 4).
        size_a (tuple[int, int]): Feature size ``(H_a, W_a)`` of view A.
        size_b (tuple[int, int]): Feature size ``(H_b, W_b)`` of view B.

    Returns:
        Tensor: Distances of shape (N, H_a * W_a, H_b * W_b).
    """
    centers_a, diag_a = bin_centers(boxes_a, size_a)
    centers_b, diag_b = bin_centers(boxes_b, size_b)
    dist = torch.cdist(centers_a, centers_b)  # (N, La, Lb)
    max_diag = torch.maximum(diag_a, diag_b)[:, None, None]
    return dist / max_diag


def positive_mask(boxes_a: Tensor,
                  boxes_b: Tensor,
                  size_a: Tuple[int, int],
                  size_b: Tuple[int, int],
                  threshold: float = 0.7) -> Tensor:
    """Positive pairs between the bins of two views: distance < ``T``.

    Args:
        boxes_a (Tensor): Crop boxes of view A, shape (N, 4).
        boxes_b (Tensor): Crop boxes of view B, shape (N, 4).
        size_a (tuple[int, int]): Feature size ``(H_a, W_a)`` of view A.
        size_b (tuple[int, int]): Feature size ``(H_b, W_b)`` of view B.
        threshold (float): The distance threshold ``T`` (strict).
            Defaults to 0.7.

    Returns:
        Tensor: Float mask of shape (N, H_a * W_a, H_b * W_b), 1 for a
        positive pair and 0 otherwise.
    """
    dist = normalized_bin_distance(boxes_a, boxes_b, size_a, size_b)
    return (dist < threshold).float()
