# Copyright (c) mmpixpro contributors. All rights reserved.
"""CP2's projection head and loss (`Wang et al., 2022
<https://arxiv.org/abs/2203.11709>`_)."""
from typing import Tuple

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpixpro.registry import MODELS


@MODELS.register_module()
class CP2Head(BaseModule):
    """Per-pixel projection ``z = W_2 relu(W_1 y)`` (1x1 convs with bias)
    of the ASPP output y, L2-normalised per pixel, and :class:`CP2Loss`.

    The projection takes the place of DeepLabV3's class-specific
    ``conv_seg`` during pretraining and is not exported.

    Args:
        in_channels (int): Channels of the ASPP output (512).
        hid_channels (int): Hidden channels. Defaults to 512.
        out_channels (int): C of the embedding. Defaults to 128.
        loss (dict): :class:`CP2Loss` config.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 512,
                 hid_channels: int = 512,
                 out_channels: int = 128,
                 loss: dict = dict(type='CP2Loss'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.projector = nn.Sequential(
            nn.Conv2d(in_channels, hid_channels, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hid_channels, out_channels, 1))
        self.loss_module = MODELS.build(loss)

    def embed(self, y: Tensor) -> Tensor:
        """(N, C_in, h, w) -> (N, C, h * w) normalised per pixel."""
        z = self.projector(y)
        return F.normalize(z.flatten(2), dim=1)

    def loss(self, q_dense: Tensor, k_dense: Tensor, mask_q: Tensor,
             mask_k: Tensor, queue: Tensor) -> Tuple[Tensor, Tensor]:
        """:meth:`CP2Loss.forward`."""
        return self.loss_module(q_dense, k_dense, mask_q, mask_k, queue)
