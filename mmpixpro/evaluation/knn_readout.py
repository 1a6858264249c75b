# Copyright (c) mmpixpro contributors. All rights reserved.
"""Patch-level nearest-neighbour readout (no training).

Every test patch (one feature-map position) takes the labels of its k most
similar train patches (cosine similarity of the features), weighted by
``softmax(sim / T)`` over those k, as in in-context dense retrieval. A train
patch's label is the class histogram of the pixels it covers.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from .metrics import IGNORE_INDEX


def patch_label_histograms(labels: Tensor, feat_size, num_classes: int,
                           ignore_index: int = IGNORE_INDEX) -> Tensor:
    """Fraction of each class among the labelled pixels of every patch.

    Args:
        labels (Tensor): (N, H, W) int64 label maps.
        feat_size (tuple[int, int]): Feature grid (h, w); H, W must be
            multiples of h, w.
        num_classes (int): Classes K.
        ignore_index (int): Unlabelled id. Defaults to 255.

    Returns:
        Tensor: (N, K, h, w); rows sum to 1 (0 for unlabelled patches).
    """
    hists = []
    for start in range(0, len(labels), 16):  # bounded one-hot memory
        part = labels[start:start + 16]
        valid = part != ignore_index
        onehot = F.one_hot(part.where(valid, 0), num_classes)
        onehot = onehot.mul_(valid.unsqueeze(-1)).permute(0, 3, 1, 2)
        hists.append(F.adaptive_avg_pool2d(onehot.float(), feat_size))
    hist = torch.cat(hists)  # (N, K, h, w)
    return hist / hist.sum(1, keepdim=True).clamp_min(1e-12)

@torch.no_grad()
def knn_patch_scores(train_feats: Tensor,
                     train_hist: Tensor,
                     test_feats: Tensor,
                     k: int = 10,
                     temperature: float = 0.07,
                     chunk: int = 1024) -> Tensor:
    """Soft class scores of every test patch from its k nearest neighbours.

    Args:
        train_feats (Tensor): (N, C, h, w) train features.
        train_hist (Tensor): (N, K, h, w) from :func:`patch_label_histograms`.
        test_feats (Tensor): (M, C, h', w') test features.
        k (int): Neighbours per patch. Defaults to 10.
        temperature (float): Softmax temperature T. Defaults to 0.07.
        chunk (int): Test patches per similarity block. Defaults to 1024.

    Returns:
        Tensor: (M, K, h', w') class scores (rows sum to <= 1).
    """
    num_classes = train_hist.shape[1]
    keys = F.normalize(train_feats.permute(0, 2, 3, 1).reshape(
        -1, train_feats.shape[1]), dim=1)  # (P, C)
    values = train_hist.permute(0, 2, 3, 1).reshape(-1, num_classes)
    m, _, h, w = test_feats.shape
    queries = F.normalize(test_feats.permute(0, 2, 3, 1).reshape(
        -1, test_feats.shape[1]), dim=1)  # (Q, C)
    k = min(k, len(keys))
    scores = []
    for start in range(0, len(queries), chunk):
        sim = queries[start:start + chunk] @ keys.T  # (q, P)
        top_sim, top_idx = sim.topk(k, dim=1)
        weight = torch.softmax(top_sim / temperature, dim=1)  # (q, k)
        scores.append((weight.unsqueeze(-1) * values[top_idx]).sum(1))
    return torch.cat(scores).reshape(m, h, w, num_classes).permute(
        0, 3, 1, 2)


def knn_predict(scores: Tensor, size) -> Tensor:
    """Upsample patch scores bilinearly and take the arg-max class.

    Args:
        scores (Tensor): (M, K, h, w).
        size (tuple[int, int]): Label (H, W).

    Returns:
        Tensor: (M, H, W) int64 class ids.
    """
    return F.interpolate(scores, size=size, mode='bilinear',
                         align_corners=False).argmax(1)
