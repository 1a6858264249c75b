# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Union

from mmengine.model import BaseModule
from torch import Tensor

from mmpixpro.registry import MODELS


@MODELS.register_module()
class PixelContrastHead(BaseModule):
    """Head of PixContrast: the projected map itself, no propagation.

    `Propagate Yourself <https://arxiv.org/abs/2011.10043>`_, Sec. 3.2: the
    online projection x of view A is compared directly with the target
    projection x' of view B by a pixel-level loss (by default
    :class:`PixContrastLoss`). It has the call signature of
    :class:`PixelPropagationHead`, so :class:`PixPro` wires either.

    Args:
        loss (dict): Config of the loss taking ``(x^A, x'^B, boxes_A,
            boxes_B)``. Defaults to ``PixContrastLoss``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 loss: dict = dict(type='PixContrastLoss'),
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_module = MODELS.build(loss)

    def forward(self, x: Tensor) -> Tensor:
        """Return the projected map unchanged, (N, C, H, W)."""
        return x

    def loss(self, x: Tensor, target: Tensor, boxes: Tensor,
             target_boxes: Tensor) -> Tensor:
        """The loss ``L(A -> B)``.

        Args:
            x (Tensor): Online projection of view A, (N, C, H_a, W_a).
            target (Tensor): Target projection of view B, (N, C, H_b, W_b).
            boxes (Tensor): Crop boxes of view A, shape (N, 4).
            target_boxes (Tensor): Crop boxes of view B, shape (N, 4).

        Returns:
            Tensor: The scalar loss.
        """
        return self.loss_module(self(x), target, boxes, target_boxes)
