# Copyright (c) mmpixpro contributors. All rights reserved.
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import MODELS


@MODELS.register_module()
class MaskedBYOLLoss(nn.Module):
    """BYOL's regression loss over mask-pooled vectors (R2O, DetCon-B).

    `R2O <https://arxiv.org/abs/2208.11821>`_: for every image i and mask k
    the online prediction ``q_ik`` of one view regresses the target
    projection ``z'_ik`` of the other view, pooled over the same mask,

        ``L = sum_ik w_ik ||q_ik / |q_ik| - z'_ik / |z'_ik| ||^2
        / sum_ik w_ik``

    (``= 2 - 2 cos`` per pair, so L lies in [0, 4]), where ``w_ik`` is 1
    when mask k covers both crops of image i (mask area above ``1e-3``
    in each, the authors' ``overlap_indicator``) and 0 otherwise. The rows
    of both directions are averaged together, as the authors do. Without a
    single shared mask the loss is 0 (with a graph).

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
        """Compute ``L``.

        Args:
            pred (Tensor): ``q``, shape (R, D), one row per (image, mask)
                (and direction).
            target (Tensor): ``z'``, shape (R, D), the rows of ``pred``.
            weight (Tensor): ``w``, shape (R, ), 1 for a mask present in
                both crops, else 0.

        Returns:
            Tensor: The scalar loss.
        """
        pred = F.normalize(pred.float(), dim=-1)
        target = F.normalize(target.float(), dim=-1)
        per_row = (pred - target).square().sum(-1)  # (R, )
        weight = weight.to(per_row)
        total = weight.sum()
        if total == 0:
            return per_row.sum() * 0.0
        return self.loss_weight * (per_row * weight).sum() / total
