# Copyright (c) mmpixpro contributors. All rights reserved.
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils import positive_mask


@MODELS.register_module()
class PixProLoss(nn.Module):
    """Pixel propagation consistency loss of PixPro, one direction A -> B.

    ``l(A -> B) = -2 * mean_n [ sum_ij cos(y^A_i, x'^B_j) * pos_ij /
    (sum_ij pos_ij + 1e-6) ]`` where ``y^A`` is the propagated online
    feature of view A, ``x'^B`` the momentum-network projection of view B
    and ``pos_ij`` marks bins whose normalised distance in the original image
    is below ``T`` (see :func:`mmpixpro.models.utils.positive_mask`). An
    image without any positive pair contributes 0 and still counts in the
    batch mean. The loss lies in [-2, 2] and is negative in practice.

    Args:
        pos_threshold (float): The distance threshold ``T``. Defaults to 0.7.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 pos_threshold: float = 0.7,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.pos_threshold = pos_threshold
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor, boxes_pred: Tensor,
                boxes_target: Tensor) -> Tensor:
        """Compute ``l(A -> B)``.

        Args:
            pred (Tensor): ``y^A`` of shape (N, C, H_a, W_a).
            target (Tensor): ``x'^B`` of shape (N, C, H_b, W_b).
            boxes_pred (Tensor): Crop boxes of view A, shape (N, 4).
            boxes_target (Tensor): Crop boxes of view B, shape (N, 4).

        Returns:
            Tensor: The scalar loss.
        """
        pos = positive_mask(boxes_pred, boxes_target, pred.shape[-2:],
                            target.shape[-2:], self.pos_threshold)
        y = F.normalize(pred.float().flatten(2), dim=1)  # (N, C, La)
        x = F.normalize(target.float().flatten(2), dim=1)  # (N, C, Lb)
        cos = torch.bmm(y.transpose(1, 2), x)  # (N, La, Lb)
        per_image = (cos * pos).sum(dim=(1, 2)) / (
            pos.sum(dim=(1, 2)) + 1e-6)
        return -2 * per_image.mean() * self.loss_weight
