# Copyright (c) mmpixpro contributors. All rights reserved.
"""CP2's copy-paste on a batch (`Wang et al., 2022
<https://arxiv.org/abs/2203.11709>`_): rectangle masks, composition and
the mask on the feature grid. Pure functions."""
import torch
from torch import Tensor


def paste_masks(boxes: Tensor, height: int, width: int) -> Tensor:
    """Binary masks of rectangles: 1 inside ``[x0, x1) x [y0, y1)``.

    Args:
        boxes (Tensor): (N, 4) ``(x0, y0, x1, y1)``, pixels, end exclusive.
        height (int): H of the images.
        width (int): W of the images.

    Returns:
        Tensor: (N, H, W) float32 masks M.
    """
    boxes = boxes.to(torch.int64)
    ys = torch.arange(height, device=boxes.device).view(1, -1, 1)
    xs = torch.arange(width, device=boxes.device).view(1, 1, -1)
    x0, y0, x1, y1 = (boxes[:, i].view(-1, 1, 1) for i in range(4))
    inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
    return inside.float()


def copy_paste(foreground: Tensor, background: Tensor, mask: Tensor) -> Tensor:
    """``x = M * foreground + (1 - M) * background``.

    As the authors (on normalised images: their background is erased to 0
    inside the rectangle and the masked foreground added).

    Args:
        foreground (Tensor): (N, 3, H, W).
        background (Tensor): (N, 3, H, W), of other images.
        mask (Tensor): (N, H, W) in {0, 1}.

    Returns:
        Tensor: (N, 3, H, W) composed images.
    """
    m = mask.unsqueeze(1).to(foreground.dtype)
    return foreground * m + background * (1 - m)


def mask_on_grid(mask: Tensor, grid_h: int, grid_w: int) -> Tensor:
    """The mask at the centres of the output-stride cells.

    For output stride ``s = H // grid_h`` the authors read pixel
    ``(s // 2 + s * i, s // 2 + s * j)`` of the mask for feature ``(i, j)``.

    Args:
        mask (Tensor): (N, H, W).
        grid_h (int): Feature map height h.
        grid_w (int): Feature map width w.

    Returns:
        Tensor: (N, h, w).
    """
    sy = mask.shape[1] // grid_h
    sx = mask.shape[2] // grid_w
    return mask[:, sy // 2::sy, sx // 2::sx][:, :grid_h, :grid_w]
