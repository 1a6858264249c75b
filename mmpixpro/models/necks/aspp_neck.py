# Copyright (c) mmpixpro contributors. All rights reserved.
"""The ASPP of DeepLabV3 (`Chen et al., 2017
<https://arxiv.org/abs/1706.05587>`_) with mmseg's ``ASPPHead`` names, as
CP2 (`Wang et al., 2022 <https://arxiv.org/abs/2203.11709>`_) pretrains
it."""
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpixpro.registry import MODELS


@MODELS.register_module()
class ASPPNeck(BaseModule):
    """Atrous spatial pyramid pooling on the last backbone level.

    ``y = bottleneck(cat[up(image_pool(x)), aspp_0(x), ..., aspp_k(x)])``:
    a global-average branch (1x1 conv, upsampled bilinearly), one branch per
    dilation (1x1 conv for dilation 1, 3x3 with that dilation otherwise),
    each conv + BN + ReLU, then a 3x3 conv + BN + ReLU over the
    concatenation. The parameters carry exactly the names of mmseg's
    ``ASPPHead`` (``image_pool.1.conv/bn``, ``aspp_modules.{i}.conv/bn``,
    ``bottleneck.conv/bn``), less its class-specific ``conv_seg``, so that
    :mod:`mmpixpro.export.aspp` hands them to mmseg's DeepLabV3 as
    ``decode_head.*`` unchanged.

    Args:
        in_channels (int): Channels of the backbone's last level (2048 for
            ResNet-50).
        channels (int): Channels of every branch and of the output (512).
        dilations (Sequence[int]): Dilation of each branch. Defaults to
            ``(1, 6, 12, 18)`` (DeepLabV3 at output stride 16).
        norm_cfg (dict): Norm layer. Defaults to BN.
        align_corners (bool): Of the pooled branch's upsampling. Defaults
            to False (mmseg's DeepLabV3 configs).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 channels: int = 512,
                 dilations: Sequence[int] = (1, 6, 12, 18),
                 norm_cfg: dict = dict(type='BN'),
                 align_corners: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.align_corners = align_corners
        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            ConvModule(in_channels, channels, 1, norm_cfg=norm_cfg))
        self.aspp_modules = nn.ModuleList(
            ConvModule(in_channels, channels, 1 if d == 1 else 3,
                       dilation=d, padding=0 if d == 1 else d,
                       norm_cfg=norm_cfg) for d in dilations)
        self.bottleneck = ConvModule((len(dilations) + 1) * channels,
                                     channels, 3, padding=1,
                                     norm_cfg=norm_cfg)

    def forward(self, inputs: Union[Tensor, Tuple[Tensor, ...]]) -> Tensor:
        """ASPP of the last level.

        Args:
            inputs (Tensor | tuple[Tensor]): (N, C_in, h, w), or the
                backbone's tuple of levels (the last is used).

        Returns:
            Tensor: (N, channels, h, w).
        """
        x = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        pooled = F.interpolate(self.image_pool(x), size=x.shape[2:],
                               mode='bilinear',
                               align_corners=self.align_corners)
        branches = [pooled] + [m(x) for m in self.aspp_modules]
        return self.bottleneck(torch.cat(branches, dim=1))
