# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmpixpro.registry import MODELS
from ..utils import build_pixel_mlp


@MODELS.register_module()
class PixelPropagationHead(BaseModule):
    """Pixel Propagation Module (PPM) with the PixPro loss.

    `Propagate Yourself <https://arxiv.org/abs/2011.10043>`_, Eq. (2)-(3):
    for the projected map x of one view,

    - ``s_ij = max(cos(x_i, x_j), c) ** gamma`` over all positions i, j of
      the same view (``c`` = ``clamp_value``, 0 in the paper); the weights
      are not normalised;
    - ``v_j = normalise(g(x_j))`` with g the value transform (0, 1 or 2
      layers of 1x1 conv);
    - ``y_i = normalise(sum_j s_ij * v_j)``.

    The head has no momentum copy: it only runs on the online branch.

    Args:
        in_channels (int): Channels C of x. Defaults to 256.
        gamma (float): Sharpness exponent gamma. Defaults to 2.
        clamp_value (float): Lower clamp of the cosine before the power.
            Defaults to 0.
        num_value_layers (int): Layers of the value transform g: 0
            (identity), 1 (1x1 conv with bias) or 2 (conv-BN-ReLU-conv).
            Defaults to 1.
        norm_cfg (dict): Norm of the 2-layer value transform. Defaults to BN.
        loss (dict): Config of the loss taking ``(y^A, x'^B, boxes_A,
            boxes_B)``. Defaults to ``PixProLoss``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 gamma: float = 2.0,
                 clamp_value: float = 0.0,
                 num_value_layers: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 loss: dict = dict(type='PixProLoss'),
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_value_layers not in (0, 1, 2):
            raise ValueError('num_value_layers must be 0, 1 or 2, got '
                             f'{num_value_layers}')
        self.gamma = gamma
        self.clamp_value = clamp_value
        self.value_transform = build_pixel_mlp(
            in_channels,
            in_channels,
            num_layers=num_value_layers,
            norm_cfg=norm_cfg)
        self.loss_module = MODELS.build(loss)

    def similarity(self, x: Tensor) -> Tensor:
        """Propagation weights ``s_ij = max(cos(x_i, x_j), c) ** gamma``.

        Args:
            x (Tensor): Projected map of shape (N, C, H, W).

        Returns:
            Tensor: Weights of shape (N, H*W, H*W), row i for pixel i.
        """
        x = F.normalize(x.flatten(2), dim=1)  # (N, C, L)
        sim = torch.bmm(x.transpose(1, 2), x)  # (N, L, L)
        sim = sim.clamp(min=self.clamp_value)
        if self.gamma < 1:
            sim = sim + 1e-6  # finite gradient of s ** gamma at 0
        return sim.pow(self.gamma)

    def forward(self, x: Tensor) -> Tensor:
        """Propagate: ``y_i = normalise(sum_j s_ij v_j)``.

        Args:
            x (Tensor): Projected map of shape (N, C, H, W).

        Returns:
            Tensor: y of shape (N, C, H, W), L2-normalised over C.
        """
        n, c, h, w = x.shape
        sim = self.similarity(x)  # (N, L, L)
        value = F.normalize(self.value_transform(x).flatten(2), dim=1)
        y = torch.bmm(value, sim.transpose(1, 2))  # (N, C, L)
        return F.normalize(y, dim=1).view(n, c, h, w)

    def loss(self, x: Tensor, target: Tensor, boxes: Tensor,
             target_boxes: Tensor) -> Tensor:
        """Propagate the online map of view A and compare it with view B.

        Args:
            x (Tensor): Online projection x^A of shape (N, C, H_a, W_a).
            target (Tensor): Momentum projection x'^B, (N, C, H_b, W_b).
            boxes (Tensor): Crop boxes of view A, shape (N, 4).
            target_boxes (Tensor): Crop boxes of view B, shape (N, 4).

        Returns:
            Tensor: The scalar loss l(A -> B).
        """
        return self.loss_module(self(x), target, boxes, target_boxes)
