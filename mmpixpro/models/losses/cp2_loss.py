# Copyright (c) mmpixpro contributors. All rights reserved.
"""CP2's loss (`Wang et al., 2022 <https://arxiv.org/abs/2203.11709>`_)."""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import MODELS


def mask_pool(dense: Tensor, mask: Tensor) -> Tensor:
    """``normalize(sum_x m_x * z_x)``: the pooled foreground feature.

    Args:
        dense (Tensor): (N, C, L) per-pixel features z_x, L2-normalised.
        mask (Tensor): (N, L) foreground mask m on the feature grid.

    Returns:
        Tensor: (N, C), L2-normalised.
    """
    return F.normalize(torch.einsum('ncl,nl->nc', dense, mask), dim=1)


@MODELS.register_module()
class CP2Loss(nn.Module):
    """MoCo InfoNCE on the pooled foregrounds + ``lambda`` x dense term.

    With per-pixel L2-normalised query/key features ``q_x``, ``k_y`` and
    foreground masks ``m^q``, ``m^k`` on the feature grid,
    ``q = normalize(sum_x m^q_x q_x)``, ``k = normalize(sum_y m^k_y k_y)``:

    ``L_ins = -log(exp(q.k / T) / (exp(q.k / T) + sum_i exp(q.k_i / T)))``
    over the queue keys ``k_i`` (T = 0.2);

    ``L_dense = sum_{x,y} m^q_x m^k_y l_xy / sum_{x,y} m^q_x m^k_y`` with
    ``s_xy = q_x.k_y / T_d`` and, as in the authors' released code
    (``LogSoftmax(dim=1)`` of the (N, x, y) logits),
    ``l_xy = -log(exp(s_xy) / sum_x' exp(s_x'y))``: for each key foreground
    pixel y, the query foreground pixels are the positives and the query
    background pixels the negatives (``normalize_over='query'``, T_d = 1).
    ``normalize_over='key'`` takes the other direction,
    ``l_xy = -log(exp(s_xy) / sum_y' exp(s_xy'))``: each query foreground
    pixel against all key pixels, key foreground positive, key background
    negative (how the summary of the method reads). Both terms are means
    over the batch; ``L = L_ins + lambda L_dense`` (lambda = 0.2).

    Args:
        temperature (float): T of the instance term. Defaults to 0.2.
        dense_weight (float): lambda. Defaults to 0.2.
        dense_temperature (float): T_d. Defaults to 1.0 (none, as the
            authors).
        normalize_over (str): ``'query'`` (the authors' code) or ``'key'``.
    """

    def __init__(self,
                 temperature: float = 0.2,
                 dense_weight: float = 0.2,
                 dense_temperature: float = 1.0,
                 normalize_over: str = 'query') -> None:
        super().__init__()
        if normalize_over not in ('query', 'key'):
            raise ValueError("normalize_over is 'query' or 'key', got "
                             f'{normalize_over!r}')
        self.temperature = temperature
        self.dense_weight = dense_weight
        self.dense_temperature = dense_temperature
        self.normalize_over = normalize_over

    def instance(self, q: Tensor, k: Tensor, queue: Tensor) -> Tensor:
        """InfoNCE of pooled query q against key k and the queue.

        Args:
            q (Tensor): (N, C) normalised.
            k (Tensor): (N, C) normalised, no gradient.
            queue (Tensor): (C, K) normalised negatives.

        Returns:
            Tensor: Scalar L_ins.
        """
        l_pos = (q * k).sum(1, keepdim=True)  # (N, 1)
        l_neg = q @ queue.detach()  # (N, K)
        logits = torch.cat([l_pos, l_neg], dim=1) / self.temperature
        labels = torch.zeros(len(q), dtype=torch.long, device=q.device)
        return F.cross_entropy(logits, labels)

    def dense(self, q_dense: Tensor, k_dense: Tensor, mask_q: Tensor,
              mask_k: Tensor) -> Tensor:
        """The dense term.

        Args:
            q_dense (Tensor): (N, C, L) normalised query pixels q_x.
            k_dense (Tensor): (N, C, L) normalised key pixels k_y.
            mask_q (Tensor): (N, L) m^q.
            mask_k (Tensor): (N, L) m^k.

        Returns:
            Tensor: Scalar L_dense (an image without foreground on the
            grid contributes 0).
        """
        s = torch.einsum('ncx,ncy->nxy', q_dense, k_dense)
        s = s / self.dense_temperature
        dim = 1 if self.normalize_over == 'query' else 2
        nll = -F.log_softmax(s, dim=dim)  # (N, Lq, Lk)
        pairs = mask_q.unsqueeze(2) * mask_k.unsqueeze(1)
        per_image = (nll * pairs).sum((1, 2)) / pairs.sum((1, 2)).clamp(
            min=1)
        return per_image.mean()

    def forward(self, q_dense: Tensor, k_dense: Tensor, mask_q: Tensor,
                mask_k: Tensor, queue: Tensor) -> Tuple[Tensor, Tensor]:
        """``(L_ins, lambda * L_dense)``.

        Args:
            q_dense (Tensor): (N, C, L) query pixels, normalised.
            k_dense (Tensor): (N, C, L) key pixels, normalised.
            mask_q (Tensor): (N, L) query foreground.
            mask_k (Tensor): (N, L) key foreground.
            queue (Tensor): (C, K) negatives.

        Returns:
            tuple[Tensor, Tensor]: The two weighted terms.
        """
        q = mask_pool(q_dense, mask_q)
        k = mask_pool(k_dense, mask_k)
        return (self.instance(q, k, queue),
                self.dense_weight * self.dense(q_dense, k_dense, mask_q,
                                               mask_k))
