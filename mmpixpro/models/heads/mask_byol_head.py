# Copyright (c) mmpixpro contributors. All rights reserved.
from torch import Tensor, nn

from mmpixpro.registry import MODELS


@MODELS.register_module()
class MaskBYOLHead(nn.Module):
    """Predictor and loss of a mask-pooled BYOL (R2O, DetCon-B).

    `R2O <https://arxiv.org/abs/2208.11821>`_: the online projection
    ``z_ik`` of each (image, mask) row goes through the predictor,
    ``q_ik = g(z_ik)``, and regresses the target projection ``z'_ik`` of
    the other view (:class:`MaskedBYOLLoss`). The predictor is an MLP on
    rows (e.g. mmpretrain's ``NonLinearNeck`` without pooling: Linear, BN
    over all rows, ReLU, Linear, as the authors' MLP).

    Args:
        predictor (dict): Config of the predictor ``g``.
        loss (dict): Config of the loss, e.g. ``MaskedBYOLLoss``.
    """

    def __init__(self, predictor: dict, loss: dict) -> None:
        super().__init__()
        self.predictor = MODELS.build(predictor)
        self.loss_module = MODELS.build(loss)

    def loss(self, online: Tensor, target: Tensor, weight: Tensor) -> Tensor:
        """``L`` of the predicted online rows against the target rows.

        Args:
            online (Tensor): ``z``, online projections, shape (R, D).
            target (Tensor): ``z'``, target projections, shape (R, D).
            weight (Tensor): ``w``, shape (R, ): 1 where the mask covers both
                crops.

        Returns:
            Tensor: The scalar loss.
        """
        pred = self.predictor((online, ))[0]  # (R, D)
        return self.loss_module(pred, target.detach(), weight)
