# Copyright (c) mmpixpro contributors. All rights reserved.
"""Geometry of crop boxes and feature bins (PixPro paper, Sec. 3.1).

A view carries its crop box in the original image as ``(x_ul, y_ul, x_lr,
y_lr)``, normalised to [0, 1] by ``W - 1`` and ``H - 1``. A horizontal flip
swaps ``x_ul`` and ``x_lr``, so a box width may be negative. Every bin of an
``H_f x W_f`` feature map is mapped back to a point of the original image;
two bins of two views are a positive pair when their normalised distance is
below a threshold ``T``.

Maps of different sizes (multi-crop: a 96 px view gives a 3 x 3 map where a
224 px view gives 7 x 7, or one box is smaller than the other) are handled
by the same rule: the distance is in units of the LARGER of the two bins
(``max(diag_A, diag_B)``, the paper's rule as it stands).
The larger bin, because it keeps the positives where the two views overlap
without holes, and the pairing symmetric (the mask of B against A is the
transpose of A against B): a point inside the larger bin is at most half
its diagonal from the bin's centre, below ``T * diag`` for ``T > 0.5`` (the
default is 0.7), so every bin centre of the finer map that lies inside a
bin of the coarser one pairs with it. In units of the smaller bin a coarse
bin would pair with about one fine bin, and most of the overlap would be
left out.

Patch grids (ViT): a grid of stride ``p`` on an ``S`` px crop has
``n = ceil(S / p)`` cells, cell ``i`` covering pixels ``[i * p, (i + 1) *
p)`` of the crop (the patch embedding pads the right and bottom edges, mmcv's
``AdaptivePadding(padding='corner')``), so its centre is at ``(i + 0.5) * p
/ S`` of the crop, not ``(i + 0.5) / n``. :func:`grid_boxes` turns a crop
box into the box of the region the grid covers (``n * p`` px instead of
``S``); the functions above then apply unchanged. When ``p`` divides ``S``
(ViT-S/16 at 224 px, patch 14 at 224 px) the box is unchanged.

These are pure functions shared by the PixPro loss, PixContrast, FPN levels
and the visualisations.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor


def grid_boxes(boxes: Tensor, view_size: Tuple[int, int],
               feat_size: Tuple[int, int],
               stride: Optional[Tuple[int, int]]) -> Tensor:
    """Boxes of the region a feature grid of known stride covers.

    A grid of stride ``(p_h, p_w)`` and size ``(H_f, W_f)`` on a crop of
    ``(H, W)`` px covers ``H_f * p_h`` x ``W_f * p_w`` px from the crop's
    top-left corner (more than the crop when a patch embedding pads the
    bottom and right edges). The box is stretched from its ``(x_ul, y_ul)``
    corner by ``W_f * p_w / W`` and ``H_f * p_h / H`` (signed, so a flipped
    box stays flipped), so that :func:`bin_axes` puts the centre of cell
    ``col`` at ``x_ul + (col + 0.5) * p_w / W * (x_lr - x_ul)``.

    Args:
        boxes (Tensor): Crop boxes of shape (N, 4).
        view_size (tuple[int, int]): ``(H, W)`` of the crop in pixels.
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the feature map.
        stride (tuple[int, int], optional): ``(p_h, p_w)`` in pixels of
            the crop, e.g. a ViT's patch size. None: the grid is taken to
            tile the crop exactly (``p = S / n``, ResNet's convention) and
            the boxes are returned as they are.

    Returns:
        Tensor: Boxes of shape (N, 4) whose ``H_f x W_f`` bins are the
        grid's cells.

    Raises:
        ValueError: If the grid does not have ``ceil(S / p)`` (padded) or
            ``floor(S / p)`` (cropped) cells along an axis: a stride that
            is not the backbone's.
    """
    if stride is None:
        return boxes
    (h, w), (h_f, w_f), (p_h, p_w) = view_size, feat_size, stride
    if not ((h_f - 1) * p_h < h < (h_f + 1) * p_h
            and (w_f - 1) * p_w < w < (w_f + 1) * p_w):
        raise ValueError(
            f'A {h_f} x {w_f} grid does not have stride {(p_h, p_w)} on a '
            f'{h} x {w} crop (ceil(S / p) or floor(S / p) cells expected)')
    scale_x, scale_y = w_f * p_w / w, h_f * p_h / h
    if scale_x == 1 and scale_y == 1:
        return boxes
    x_ul, y_ul, x_lr, y_lr = boxes.unbind(-1)
    return torch.stack([
        x_ul, y_ul, x_ul + (x_lr - x_ul) * scale_x,
        y_ul + (y_lr - y_ul) * scale_y
    ], dim=-1)


def bin_axes(boxes: Tensor,
             feat_size: Tuple[int, int]) -> Tuple[Tensor, Tensor, Tensor]:
    """Bin-centre coordinates along each axis, in the dtype of ``boxes``.

    The centre of bin ``(row, col)`` is ``(cx[col], cy[row])``:
    ``cx = (col + 0.5) * bin_w + x_ul`` with ``bin_w = (x_lr - x_ul) / W_f``
    (signed) and ``cy = (row + 0.5) * bin_h + y_ul`` with
    ``bin_h = (y_lr - y_ul) / H_f``.

    Args:
        boxes (Tensor): Floating-point crop boxes of shape (N, 4).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the feature map.

    Returns:
        tuple[Tensor, Tensor, Tensor]: ``cx`` of shape (N, W_f), ``cy`` of
        shape (N, H_f) and the bin diagonals ``sqrt(bin_w ** 2 +
        bin_h ** 2)`` of shape (N, ).
    """
    h_f, w_f = feat_size
    bin_w = (boxes[:, 2] - boxes[:, 0]) / w_f  # (N, )
    bin_h = (boxes[:, 3] - boxes[:, 1]) / h_f  # (N, )
    cols = torch.arange(w_f, device=boxes.device, dtype=boxes.dtype) + 0.5
    rows = torch.arange(h_f, device=boxes.device, dtype=boxes.dtype) + 0.5
    cx = cols[None] * bin_w[:, None] + boxes[:, 0:1]  # (N, W_f)
    cy = rows[None] * bin_h[:, None] + boxes[:, 1:2]  # (N, H_f)
    return cx, cy, torch.sqrt(bin_w**2 + bin_h**2)


def bin_centers(boxes: Tensor, feat_size: Tuple[int, int]) -> Tuple[Tensor,
                                                                     Tensor]:
    """Centres of the feature bins in normalised original-image coordinates.

    ``bin_w = (x_lr - x_ul) / W_f`` (signed), ``bin_h = (y_lr - y_ul) / H_f``
    and bin ``(row, col)`` has centre ``((col + 0.5) * bin_w + x_ul,
    (row + 0.5) * bin_h + y_ul)`` (see :func:`bin_axes`), in float32.

    Args:
        boxes (Tensor): Crop boxes of shape (N, 4).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the feature map.

    Returns:
        tuple[Tensor, Tensor]: Centres of shape (N, H_f * W_f, 2) as (x, y),
        in row-major bin order, and the bin diagonals
        ``sqrt(bin_w ** 2 + bin_h ** 2)`` of shape (N, ).
    """
    h_f, w_f = feat_size
    cx, cy, diag = bin_axes(boxes.float(), feat_size)
    centers = torch.stack(
        [
            cx[:, None, :].expand(-1, h_f, -1),
            cy[:, :, None].expand(-1, -1, w_f)
        ],
        dim=-1).reshape(boxes.shape[0], h_f * w_f, 2)
    return centers, diag


def normalized_bin_distance(boxes_a: Tensor,
                            boxes_b: Tensor,
                            size_a: Tuple[int, int],
                            size_b: Tuple[int, int],
                            dtype: Optional[torch.dtype] = None) -> Tensor:
    """Distance between every bin of view A and every bin of view B.

    The Euclidean distance of the bin centres is divided by
    ``max(diag_A, diag_B)`` of the same sample. It is computed directly in
    float64 -- the coordinate differences along each axis, then the norm --
    so pairs near the threshold are classified as exact arithmetic would;
    the matrix-product expansion ``|a|^2 + |b|^2 - 2 a.b`` (what
    ``torch.cdist`` uses in float32 above 25 points) loses about 3.5e-5 of
    the distance.

    Args:
        boxes_a (Tensor): Crop boxes of view A, shape (N, 4).
        boxes_b (Tensor): Crop boxes of view B, shape (N, 4).
        size_a (tuple[int, int]): Feature size ``(H_a, W_a)`` of view A.
        size_b (tuple[int, int]): Feature size ``(H_b, W_b)`` of view B.
        dtype (torch.dtype, optional): dtype of the result. Defaults to
            None: float32, or float64 for float64 boxes.

    Returns:
        Tensor: Distances of shape (N, H_a * W_a, H_b * W_b).
    """
    ax, ay, diag_a = bin_axes(boxes_a.double(), size_a)
    bx, by, diag_b = bin_axes(boxes_b.double(), size_b)
    # centres lie on a grid: x depends on the column only, y on the row
    dx2 = (ax[:, :, None] - bx[:, None, :]).square()  # (N, W_a, W_b)
    dy2 = (ay[:, :, None] - by[:, None, :]).square()  # (N, H_a, H_b)
    dist = dy2[:, :, None, :, None] + dx2[:, None, :, None, :]
    n = boxes_a.shape[0]
    dist = dist.reshape(n, size_a[0] * size_a[1], size_b[0] * size_b[1])
    max_diag = torch.maximum(diag_a, diag_b)[:, None, None]
    dist = dist.sqrt_().div_(max_diag)
    if dtype is None:
        dtype = torch.promote_types(boxes_a.dtype, torch.float32)
    return dist.to(dtype)


def positive_mask(boxes_a: Tensor,
                  boxes_b: Tensor,
                  size_a: Tuple[int, int],
                  size_b: Tuple[int, int],
                  threshold: float = 0.7) -> Tensor:
    """Positive pairs between the bins of two views: distance < ``T``.

    The two maps may differ in size (e.g. 7 x 7 against 3 x 3): the
    distance is in units of the larger bin diagonal (see the module's
    docstring). The distance is compared with ``T`` in float64
    (:func:`normalized_bin_distance`): pairs are classified as exact
    arithmetic on the given boxes would, but within about 1e-15 of ``T``.

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
    dist = normalized_bin_distance(
        boxes_a, boxes_b, size_a, size_b, dtype=torch.float64)
    return (dist < threshold).float()
