# Copyright (c) mmpixpro contributors. All rights reserved.
"""Region masks of a full image, cut into crops and used to pool features.

The object-level methods (R2O, `arXiv:2208.11821
<https://arxiv.org/abs/2208.11821>`_; DetCon) describe an image by a set of
K region masks on a fixed grid of the full image (R2O: 56 x 56). Each crop
of the image sees the masks through its crop box: the masks are cut out by
RoIAlign over the box (a crop and a resize in one step) and flipped where
the crop was flipped. Features are then averaged inside each cut mask.

Boxes follow the library's convention (:mod:`.box_geometry`): ``(x_ul,
y_ul, x_lr, y_lr)`` in [0, 1], the centres of the crop's first and last
pixels normalised by ``W - 1`` and ``H - 1``, and a horizontal flip swaps
``x_ul`` and ``x_lr``. RoIAlign needs the crop's edges: with the original
image size ``(H, W)`` the first pixel's left edge is ``x_ul (W - 1) / W``
and the last pixel's right edge ``(x_lr (W - 1) + 1) / W`` (:func:`box_edges`);
the whole image, ``(0, 0, 1, 1)``, is the unit square in both.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def one_hot_masks(labels: Tensor,
                  num_masks: Optional[int] = None,
                  size: Optional[Tuple[int, int]] = None) -> Tensor:
    """One binary mask per label, optionally resized (bilinear).

    Bilinear resizing (``align_corners=False``, no antialiasing) of the
    one-hot maps is R2O's ``to_binary_mask``: the resized masks are soft
    and still sum to 1 at every position. It is computed without the
    full-resolution one-hot maps (B x C x H x W floats, 0.6 GB for a
    batch of 32 at 224 px and C = 100): each output cell takes the
    bilinear weights of its 4 source pixels, added to their labels' masks
    (what ``F.interpolate`` of the one-hot maps gives).

    Args:
        labels (Tensor): Label maps of shape (B, H, W), integers in
            ``[0, num_masks)``.
        num_masks (int, optional): C, the masks per image. Defaults to None:
            the largest label + 1.
        size (tuple[int, int], optional): ``(h, w)`` of the output.
            Defaults to None (``(H, W)``).

    Returns:
        Tensor: Float masks of shape (B, C, h, w).
    """
    labels = labels.long()
    if num_masks is None:
        num_masks = int(labels.max()) + 1
    b, in_h, in_w = labels.shape
    if size is None or tuple(size) == (in_h, in_w):
        return F.one_hot(labels, num_masks).permute(0, 3, 1, 2).float()
    out_h, out_w = size
    r0, r1, wr = _bilinear_taps(in_h, out_h, labels.device)  # (h, )
    c0, c1, wc = _bilinear_taps(in_w, out_w, labels.device)  # (w, )
    out = labels.new_zeros((b, num_masks, out_h * out_w), dtype=torch.float)
    for rows, row_w in ((r0, 1 - wr), (r1, wr)):
        for cols, col_w in ((c0, 1 - wc), (c1, wc)):
            tap = labels[:, rows][:, :, cols].reshape(b, 1, -1)  # (B,1,hw)
            weight = (row_w[:, None] * col_w[None, :]).reshape(1, 1, -1)
            out.scatter_add_(1, tap, weight.expand(b, 1, -1).contiguous())
    return out.reshape(b, num_masks, out_h, out_w)


def _bilinear_taps(in_size: int, out_size: int, device: torch.device
                   ) -> Tuple[Tensor, Tensor, Tensor]:
    """Source indices and weight of ``F.interpolate(mode='bilinear',
    align_corners=False)`` along one axis: output ``i`` reads
    ``x = max((i + 0.5) * in / out - 0.5, 0)``, i.e. ``(1 - t) *
    src[floor(x)] + t * src[min(floor(x) + 1, in - 1)]``, ``t = x -
    floor(x)``.

    Args:
        in_size (int): Input length.
        out_size (int): Output length.
        device (torch.device): Where the taps go.

    Returns:
        tuple[Tensor, Tensor, Tensor]: Lower and upper indices (long) and
        ``t`` (float), each (out_size, ).
    """
    scale = in_size / out_size
    x = (torch.arange(out_size, device=device, dtype=torch.float) + 0.5)
    x = (x * scale - 0.5).clamp(min=0)
    low = x.floor().long().clamp(max=in_size - 1)
    high = (low + 1).clamp(max=in_size - 1)
    return low, high, x - low.float()


def box_edges(boxes: Tensor, image_sizes: Optional[Tensor] = None
              ) -> Tuple[Tensor, Tensor]:
    """Crop boxes as un-flipped edge coordinates in [0, 1], and the flips.

    Args:
        boxes (Tensor): Crop boxes of shape (B, 4), ``(x_ul, y_ul, x_lr,
            y_lr)`` (``x_ul > x_lr`` for a flipped crop).
        image_sizes (Tensor, optional): ``(H, W)`` of each original image,
            shape (B, 2). Defaults to None: the centre coordinates are taken
            as edges (off by at most ``1 / W`` of the image).

    Returns:
        tuple[Tensor, Tensor]: Edges ``(x0, y0, x1, y1)`` of shape (B, 4)
        with ``x0 <= x1``, and a bool tensor (B, ) that is True where the
        crop was flipped.
    """
    boxes = boxes.float()
    flipped = boxes[:, 0] > boxes[:, 2]
    x0 = torch.minimum(boxes[:, 0], boxes[:, 2])
    x1 = torch.maximum(boxes[:, 0], boxes[:, 2])
    y0, y1 = boxes[:, 1], boxes[:, 3]
    if image_sizes is not None:
        h = image_sizes[:, 0].to(boxes)
        w = image_sizes[:, 1].to(boxes)
        x0, x1 = x0 * (w - 1) / w, (x1 * (w - 1) + 1) / w
        y0, y1 = y0 * (h - 1) / h, (y1 * (h - 1) + 1) / h
    return torch.stack([x0, y0, x1, y1], dim=1), flipped


def cut_masks(masks: Tensor,
              boxes: Tensor,
              out_size: Tuple[int, int],
              image_sizes: Optional[Tensor] = None) -> Tensor:
    """Cut full-image masks into crops (flip-aware RoIAlign).

    R2O's step: the box edges are scaled to the mask grid (``M`` cells
    across the image), ``torchvision.ops.roi_align`` resamples the box to
    ``out_size`` (adaptive sampling, ``aligned=False``, as the authors),
    and the output of a flipped crop is mirrored along x.

    Args:
        masks (Tensor): Full-image masks of shape (B, K, M_h, M_w).
        boxes (Tensor): Crop boxes of shape (B, 4), the library's
            convention (flipped crops with ``x_ul > x_lr``).
        out_size (tuple[int, int]): ``(h, w)``, the crop's feature size.
        image_sizes (Tensor, optional): ``(H, W)`` of each original image,
            shape (B, 2); see :func:`box_edges`. Defaults to None.

    Returns:
        Tensor: The masks seen by each crop, shape (B, K, h, w).
    """
    from torchvision.ops import roi_align
    b, _, m_h, m_w = masks.shape
    edges, flipped = box_edges(boxes, image_sizes)
    scale = edges.new_tensor([m_w, m_h, m_w, m_h])
    rois = torch.cat(
        [torch.arange(b, device=edges.device, dtype=edges.dtype)[:, None],
         edges * scale], dim=1)  # (B, 5): batch index, x0, y0, x1, y1
    out = roi_align(masks.float(), rois.to(masks.device), tuple(out_size),
                    spatial_scale=1.0, sampling_ratio=-1, aligned=False)
    flipped = flipped.to(out.device)[:, None, None, None]
    return torch.where(flipped, out.flip(-1), out)


def masked_average_pool(masks: Tensor, feats: Tensor) -> Tensor:
    """Average of the features inside each mask (DetCon's mask pooling).

    ``v_k = sum_p m_k(p) f(p) / max(sum_p m_k(p), 1)``: the divisor is the
    mask's area but never below 1, as in R2O (a soft mask of area < 1 is
    summed, an empty mask gives 0).

    Args:
        masks (Tensor): Masks of shape (B, K, h, w).
        feats (Tensor): Features of shape (B, C, h, w).

    Returns:
        Tensor: Pooled features of shape (B, K, C).
    """
    b, k = masks.shape[:2]
    masks = masks.reshape(b, k, -1).to(feats.dtype)  # (B, K, h*w)
    area = masks.sum(-1, keepdim=True).clamp(min=1.0)  # (B, K, 1)
    feats = feats.flatten(2).transpose(1, 2)  # (B, h*w, C)
    return torch.bmm(masks / area, feats)
