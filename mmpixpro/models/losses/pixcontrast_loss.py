# Copyright (c) mmpixpro contributors. All rights reserved.
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils import positive_mask

# added to the logits of non-positive pairs before the positive log-sum-exp:
# exp(-1e4) is 0 in float32, and unlike -inf it keeps the gradient of a
# pixel without any positive finite (that pixel is then masked out)
_NOT_POSITIVE = -1e4


@MODELS.register_module()
class PixContrastLoss(nn.Module):
    """Pixel-level InfoNCE of PixContrast, one direction A -> B.

    `Propagate Yourself <https://arxiv.org/abs/2011.10043>`_, Eq. (1): for a
    pixel i of view A with online feature x_i, the positives ``A_p(i)`` are
    the pixels j of view B (same image) whose normalised distance in the
    original image is below ``T``, the negatives ``A_n(i)`` are the other
    pixels of view B, and

    ``L(i) = -log( sum_{j in A_p} exp(cos(x_i, x'_j) / tau) /
    sum_{k in A_p + A_n} exp(cos(x_i, x'_k) / tau) )``

    with x' the momentum-network features. The loss is the mean of ``L(i)``
    over the pixels of the batch that have at least one positive (0 when no
    pixel has one).

    Args:
        temperature (float): ``tau``. Defaults to 0.3.
        pos_threshold (float): The distance threshold ``T``. Defaults to 0.7.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.3,
                 pos_threshold: float = 0.7,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.pos_threshold = pos_threshold
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor, boxes_pred: Tensor,
                boxes_target: Tensor) -> Tensor:
        """Compute ``L(A -> B)``.

        Args:
            pred (Tensor): Online features x of view A, (N, C, H_a, W_a).
            target (Tensor): Target features x' of view B, (N, C, H_b, W_b).
            boxes_pred (Tensor): Crop boxes of view A, shape (N, 4).
            boxes_target (Tensor): Crop boxes of view B, shape (N, 4).

        Returns:
            Tensor: The scalar loss.
        """
        pos = positive_mask(boxes_pred, boxes_target, pred.shape[-2:],
                            target.shape[-2:], self.pos_threshold) > 0
        x = F.normalize(pred.float().flatten(2), dim=1)  # (N, C, La)
        x_t = F.normalize(target.float().flatten(2), dim=1)  # (N, C, Lb)
        logits = torch.bmm(x.transpose(1, 2), x_t) / self.temperature
        log_all = torch.logsumexp(logits, dim=2)  # (N, La)
        log_pos = torch.logsumexp(
            logits.masked_fill(~pos, _NOT_POSITIVE), dim=2)  # (N, La)
        has_pos = pos.any(dim=2).float()  # (N, La)
        per_pixel = (log_all - log_pos) * has_pos
        loss = per_pixel.sum() / has_pos.sum().clamp(min=1)
        return loss * self.loss_weight
