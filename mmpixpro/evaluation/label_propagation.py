# Copyright (c) mmpixpro contributors. All rights reserved.
"""Video label propagation by feature affinity (the usual protocol of
self-supervised correspondence papers).

Only the first frame's mask is given. For frame t, every patch compares its
feature with the patches of the context frames (the first frame and the
``num_context`` previous frames), restricted to a spatial neighbourhood of
``radius`` feature cells; its soft label is the ``softmax(sim / T)``-weighted
mean of the labels of its ``topk`` most similar context patches. Predictions
are upsampled bilinearly to the frame size and the arg-max object is taken.

Scores: region J (:func:`sequence_j`, frames 1..T-1) and, for the DAVIS-2017
protocol, J and the boundary F per object and frame on the frames the
benchmark scores (1..T-2: neither the given first frame nor the last),
:func:`sequence_jf`.
"""
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .boundary_f import DAVIS_BOUND_TH, boundary_f
from .knn_readout import patch_label_histograms
from .metrics import IGNORE_INDEX, region_iou


@dataclass
class PropagationConfig:
    """Settings of :func:`propagate_labels`.

    Args:
        topk (int): Context patches per query. Defaults to 5.
        temperature (float): Softmax temperature T. Defaults to 0.1.
        num_context (int): Previous frames in the context (plus the first
            frame). Defaults to 7.
        radius (int | None): Neighbourhood radius in feature cells (None:
            whole frame). Defaults to 12.
    """
    topk: int = 5
    temperature: float = 0.1
    num_context: int = 7
    radius: int = 12


def neighbourhood_mask(size, radius) -> Tensor:
    """Which patch pairs of one grid lie within ``radius`` (Chebyshev).

    Args:
        size (tuple[int, int]): Feature grid (h, w).
        radius (int | None): Cells; None allows every pair.

    Returns:
        Tensor: (h*w, h*w) bool.
    """
    h, w = size
    if radius is None:
        return torch.ones(h * w, h * w, dtype=torch.bool)
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    ys, xs = ys.reshape(-1), xs.reshape(-1)
    return ((ys[:, None] - ys[None]).abs() <= radius) & (
        (xs[:, None] - xs[None]).abs() <= radius)


@torch.no_grad()
def propagate_labels(feats: Tensor, first_labels: Tensor,
                     cfg: PropagationConfig) -> List[Tensor]:
    """Soft labels of every frame from the first frame's.

    Args:
        feats (Tensor): (T, C, h, w) frame features.
        first_labels (Tensor): (K, h, w) soft labels of frame 0 (e.g. the
            object histogram of each patch).
        cfg (PropagationConfig): Settings.

    Returns:
        list[Tensor]: T soft-label maps (K, h, w); the first is the input.
    """
    num_frames, channels, h, w = feats.shape
    keys = F.normalize(feats.reshape(num_frames, channels, h * w), dim=1)
    allowed = neighbourhood_mask((h, w), cfg.radius)  # (hw, hw)
    labels = [first_labels.reshape(-1, h * w)]  # (K, hw) each
    for t in range(1, num_frames):
        ctx = [0] + list(range(max(1, t - cfg.num_context), t))
        ctx_keys = torch.cat([keys[i] for i in ctx], dim=1)  # (C, n*hw)
        ctx_labels = torch.cat([labels[i] for i in ctx], dim=1)  # (K, n*hw)
        sim = keys[t].T @ ctx_keys  # (hw, n*hw)
        sim = sim.masked_fill(~allowed.repeat(1, len(ctx)), float('-inf'))
        top_sim, top_idx = sim.topk(min(cfg.topk, sim.shape[1]), dim=1)
        weight = torch.softmax(top_sim / cfg.temperature, dim=1)  # (hw, k)
        labels.append((ctx_labels[:, top_idx] * weight).sum(-1))  # (K, hw)
    return [lab.reshape(-1, h, w) for lab in labels]


def masks_from_soft_labels(soft: Sequence[Tensor], size) -> Tensor:
    """Upsample soft labels bilinearly and take the arg-max object.

    Args:
        soft (Sequence[Tensor]): T maps (K, h, w).
        size (tuple[int, int]): Frame (H, W).

    Returns:
        Tensor: (T, H, W) int64 object ids.
    """
    return F.interpolate(torch.stack(soft), size=size, mode='bilinear',
                         align_corners=False).argmax(1)


def sequence_j(pred: Tensor, gt: Tensor) -> Dict[str, object]:
    """Region similarity J per object, over frames 1..T-1.

    Args:
        pred (Tensor): (T, H, W) predicted object ids.
        gt (Tensor): (T, H, W) ground-truth ids (0 = background).

    Returns:
        dict: ``J`` (mean over objects of the per-object frame mean) and
        ``J_per_object`` ({id: J}).
    """
    objects = [int(o) for o in torch.unique(gt[0]) if o != 0]
    per_object = {
        o: float(np.mean([region_iou(pred[t] == o, gt[t] == o)
                          for t in range(1, len(gt))]))
        for o in objects
    }
    mean = float(np.mean(list(per_object.values()))) if per_object else \
        float('nan')
    return dict(J=mean, J_per_object=per_object)


def sequence_jf(pred: Tensor,
                gt: Tensor,
                bound_th: float = DAVIS_BOUND_TH,
                void_id: int = IGNORE_INDEX) -> Dict[str, object]:
    """Region J and boundary F per object and frame, as DAVIS-2017 scores
    a semi-supervised result.

    Objects are the ids 1..max of the first ground-truth frame (void
    ``void_id`` excluded); frames 1..T-2 are scored (the benchmark drops
    the given first frame and the last one); void pixels of each frame are
    left out of both J and F. J of two empty masks is 1.

    Args:
        pred (Tensor): (T, H, W) predicted object ids, T >= 3.
        gt (Tensor): (T, H, W) ground-truth ids (0 = background, ``void_id``
            = void).
        bound_th (float): F's tolerance (see
            :func:`~mmpixpro.evaluation.boundary_tolerance`).
        void_id (int): Void label. Defaults to 255.

    Returns:
        dict: ``J`` and ``F``: {object id: list of per-frame values}.
    """
    if len(gt) < 3:
        raise ValueError(f'DAVIS scores frames 1..T-2: need T >= 3, got '
                         f'{len(gt)}')
    first = gt[0].where(gt[0] != void_id, 0)
    objects = range(1, int(first.max()) + 1)
    scores = dict(J={o: [] for o in objects}, F={o: [] for o in objects})
    for t in range(1, len(gt) - 1):
        void = gt[t] == void_id
        for o in objects:
            p, g = (pred[t] == o) & ~void, (gt[t] == o) & ~void
            scores['J'][o].append(region_iou(p, g))
            scores['F'][o].append(boundary_f(p, g, void, bound_th))
    return scores


def evaluate_sequence(feats: Tensor,
                      masks: Tensor,
                      cfg: PropagationConfig,
                      boundary: bool = False,
                      bound_th: float = DAVIS_BOUND_TH
                      ) -> Dict[str, object]:
    """Propagate the first mask through a sequence and score it.

    Args:
        feats (Tensor): (T, C, h, w) frame features.
        masks (Tensor): (T, H, W) int64 object ids; only ``masks[0]`` is
            given to the propagation (its void pixels, 255, as background).
        cfg (PropagationConfig): Settings.
        boundary (bool): Score as DAVIS-2017 (J and F per object and
            frame, :func:`sequence_jf`) instead of :func:`sequence_j`.
            Defaults to False.
        bound_th (float): F's tolerance when ``boundary``.

    Returns:
        dict: :func:`sequence_j` (or :func:`sequence_jf`) of the propagated
        masks.
    """
    first_mask = masks[:1].where(masks[:1] != IGNORE_INDEX, 0)
    num_objects = int(first_mask.max()) + 1
    first = patch_label_histograms(first_mask, feats.shape[-2:],
                                   num_objects)[0]
    soft = propagate_labels(feats, first, cfg)
    pred = masks_from_soft_labels(soft, masks.shape[-2:])
    if boundary:
        return sequence_jf(pred, masks, bound_th)
    return sequence_j(pred, masks)
