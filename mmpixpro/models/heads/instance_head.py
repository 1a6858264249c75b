# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Union

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmpixpro.registry import MODELS
from ..utils import build_pixel_mlp


@MODELS.register_module()
class InstanceBranchHead(BaseModule):
    """The instance branch of PixPro: predictor, pooling and BYOL loss.

    `Propagate Yourself <https://arxiv.org/abs/2011.10043>`_, Sec. 3.4: the
    online instance projection z (per pixel) goes through a per-pixel
    predictor q, THEN is average-pooled and L2-normalised:
    ``p = normalise(avgpool(q(z)))``. The target is the momentum instance
    projection, average-pooled and normalised:
    ``z' = normalise(avgpool(z'_map))``. One direction of the loss is
    ``alpha * -2 * mean_n cos(p_n, z'_n)``; the algorithm sums both
    directions.

    Args:
        in_channels (int): Channels of z. Defaults to 256.
        hid_channels (int): Hidden channels of q. Defaults to 4096.
        out_channels (int): Output channels of q. Defaults to 256.
        num_layers (int): 1x1 convs of q. Defaults to 2.
        norm_cfg (dict): Norm inside q. Defaults to BN.
        loss_weight (float): ``alpha``. Defaults to 1.0 (the paper's
            "PixPro + instance").
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 hid_channels: int = 4096,
                 out_channels: int = 256,
                 num_layers: int = 2,
                 norm_cfg: dict = dict(type='BN'),
                 loss_weight: float = 1.0,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.predictor = build_pixel_mlp(in_channels, out_channels,
                                         hid_channels, num_layers, norm_cfg)
        self.loss_weight = loss_weight

    @staticmethod
    def pool(x: Tensor) -> Tensor:
        """Average-pool and normalise a map (N, C, H, W) -> (N, C)."""
        return F.normalize(x.float().mean(dim=(2, 3)), dim=1)

    def forward(self, z: Tensor) -> Tensor:
        """Instance prediction ``p = normalise(avgpool(q(z)))``.

        Args:
            z (Tensor): Online instance projection, (N, C, H, W).

        Returns:
            Tensor: p of shape (N, C_out), unit length.
        """
        return self.pool(self.predictor(z))

    def loss(self, z: Tensor, target: Tensor) -> Tensor:
        """One direction ``alpha * -2 * mean cos(p^A, z'^B)``.

        Args:
            z (Tensor): Online instance projection of view A, (N, C, H, W).
            target (Tensor): Target instance projection of view B,
                (N, C_out, H', W').

        Returns:
            Tensor: The scalar loss.
        """
        cos = (self(z) * self.pool(target)).sum(dim=1)  # (N, )
        return -2 * cos.mean() * self.loss_weight
