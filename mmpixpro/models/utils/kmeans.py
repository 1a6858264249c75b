# Copyright (c) mmpixpro contributors. All rights reserved.
"""k-means (Lloyd) with k-means++ seeding, in torch, on any device.

R2O clusters the superpixel features of a batch with the authors' torch
k-means (k-means++ seeding, Euclidean distance, at most 200 Lloyd
iterations, stop when the inertia changes by less than ``1e-6``). This is
the same algorithm, with two differences: the draws come from an explicit
``torch.Generator`` (so a run resumed from a checkpoint clusters exactly as
the uninterrupted one when its caller seeds the generator from the
iteration), and an empty cluster keeps its previous centre (the authors'
mean over an empty set gives NaN).
"""
from typing import Optional, Tuple

import torch
from torch import Tensor


def kmeans_pp_init(x: Tensor, k: int,
                   generator: Optional[torch.Generator] = None) -> Tensor:
    """k-means++ seeding: each next centre drawn with probability ~ D(x)^2.

    Args:
        x (Tensor): Points of shape (N, D).
        k (int): Number of centres, ``1 <= k <= N``.
        generator (torch.Generator, optional): Source of the draws (on the
            device of ``x``). Defaults to None (the global stream).

    Returns:
        Tensor: Centres of shape (k, D), rows of ``x``.
    """
    n = x.shape[0]
    first = torch.randint(n, (1, ), device=x.device, generator=generator)
    centers = [x[first[0]]]
    dist = (x - centers[0]).square().sum(-1)  # (N, ) squared distance
    for _ in range(1, k):
        total = dist.sum()
        if total <= 0:  # every point sits on a centre: take any
            probs = torch.ones_like(dist)
        else:
            probs = dist / total
        idx = torch.multinomial(probs, 1, generator=generator)[0]
        centers.append(x[idx])
        dist = torch.minimum(dist, (x - x[idx]).square().sum(-1))
    return torch.stack(centers)


def kmeans(x: Tensor,
           k: int,
           max_iter: int = 200,
           eps: float = 1e-6,
           generator: Optional[torch.Generator] = None
           ) -> Tuple[Tensor, Tensor]:
    """Cluster N points into ``k`` clusters (Lloyd's algorithm).

    Minimises the inertia ``sum_i min_c ||x_i - mu_c||^2``: assign every
    point to its nearest centre, move every centre to the mean of its
    points, until the inertia changes by less than ``eps`` or after
    ``max_iter`` assignments.

    Args:
        x (Tensor): Points of shape (N, D).
        k (int): Number of clusters (clamped to N).
        max_iter (int): Most assignment steps. Defaults to 200.
        eps (float): Stop when the inertia changes by less. Defaults to 1e-6.
        generator (torch.Generator, optional): For the k-means++ draws.
            Defaults to None.

    Returns:
        tuple[Tensor, Tensor]: Labels of shape (N, ) in ``[0, k)`` and the
        centres of shape (k, D).
    """
    x = x.float()
    k = max(1, min(int(k), x.shape[0]))
    centers = kmeans_pp_init(x, k, generator)
    labels = x.new_zeros(x.shape[0], dtype=torch.long)
    inertia = None
    for _ in range(max_iter):
        dist = torch.cdist(x, centers).square()  # (N, k)
        min_dist, labels = dist.min(dim=1)
        new_inertia = min_dist.sum()
        if inertia is not None and abs(float(inertia - new_inertia)) < eps:
            break
        inertia = new_inertia
        one_hot = torch.nn.functional.one_hot(labels, k).to(x.dtype)
        counts = one_hot.sum(0)  # (k, )
        sums = one_hot.t() @ x  # (k, D)
        filled = counts > 0
        centers = torch.where(filled[:, None],
                              sums / counts.clamp(min=1)[:, None], centers)
    return labels, centers
