# Copyright (c) mmpixpro contributors. All rights reserved.
"""Where crop boxes and feature bins fall, as ``(left, top, width,
height)`` rectangles in image pixels (imshow coordinates: pixel centres at
integers)."""
from typing import List, Tuple

import numpy as np
import torch

from mmpixpro.models.utils import bin_centers
from .similarity import ArrayLike

Rect = Tuple[float, float, float, float]  # (left, top, width, height)


def box_to_pixels(box: ArrayLike, img_size: Tuple[int, int]) -> Rect:
    """A normalised crop box as a rectangle in image pixel coordinates.

    The box ``(x_ul, y_ul, x_lr, y_lr)`` is normalised by ``W - 1`` and
    ``H - 1`` with inclusive end pixels; a flipped box (``x_lr < x_ul``) is
    drawn as the same rectangle.

    Args:
        box (Tensor | np.ndarray): The box, (4,).
        img_size (tuple[int, int]): ``(H, W)`` of the original image.

    Returns:
        tuple[float, float, float, float]: ``(left, top, width, height)``
        in imshow coordinates (pixel centres at integers), width >= 0.
    """
    x_ul, y_ul, x_lr, y_lr = (float(v) for v in np.asarray(box))
    h, w = img_size
    xs = sorted((x_ul * (w - 1), x_lr * (w - 1)))
    ys = sorted((y_ul * (h - 1), y_lr * (h - 1)))
    return xs[0] - 0.5, ys[0] - 0.5, xs[1] - xs[0] + 1, ys[1] - ys[0] + 1


def bin_rectangle(row: int, col: int, feat_size: Tuple[int, int],
                  img_size: Tuple[int, int]) -> Rect:
    """Rectangle of feature bin ``(row, col)`` in view pixel coordinates.

    Args:
        row (int): Bin row.
        col (int): Bin column.
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the feature map.
        img_size (tuple[int, int]): ``(H, W)`` of the view.

    Returns:
        tuple[float, float, float, float]: ``(left, top, width, height)``
        in imshow coordinates.
    """
    bin_h = img_size[0] / feat_size[0]
    bin_w = img_size[1] / feat_size[1]
    return col * bin_w - 0.5, row * bin_h - 0.5, bin_w, bin_h


def original_bin_rectangles(box: ArrayLike, feat_size: Tuple[int, int],
                            img_size: Tuple[int, int],
                            mask: np.ndarray) -> List[Rect]:
    """Rectangles of some bins of a view in original-image pixels.

    Bin ``(row, col)`` is centred on its :func:`bin_centers` point and is
    ``|bin_w| x |bin_h|`` large, so a flipped box gives the same region.

    Args:
        box (Tensor | np.ndarray): The view's crop box, (4,).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the view's features.
        img_size (tuple[int, int]): ``(H, W)`` of the original image.
        mask (np.ndarray): Boolean (H_f, W_f), the bins to return.

    Returns:
        list[tuple[float, float, float, float]]: ``(left, top, width,
        height)`` per selected bin, in row-major order.
    """
    box = torch.as_tensor(np.asarray(box), dtype=torch.float32)
    centers, _ = bin_centers(box[None], tuple(feat_size))  # (1, L, 2)
    h, w = img_size
    bin_w = abs(float(box[2] - box[0])) / feat_size[1] * (w - 1)
    bin_h = abs(float(box[3] - box[1])) / feat_size[0] * (h - 1)
    rects = []
    for idx in np.flatnonzero(np.asarray(mask)):
        cx, cy = centers[0, idx].tolist()
        rects.append((cx * (w - 1) - bin_w / 2, cy * (h - 1) - bin_h / 2,
                      bin_w, bin_h))
    return rects
