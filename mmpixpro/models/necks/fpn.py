# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpixpro.registry import MODELS


@MODELS.register_module()
class FPN(BaseModule):
    """Feature Pyramid Network whose weights load into mmdet's ``FPN``.

    `Feature Pyramid Networks for Object Detection
    <https://arxiv.org/abs/1612.03144>`_. Used by PixPro's head-network
    pretraining: the arguments, the module tree (``lateral_convs.{i}.conv``,
    ``fpn_convs.{i}.conv``, extra stride-2 convs appended to ``fpn_convs``)
    and the forward rules are those of mmdet 3.x's ``FPN``, so a state dict
    of this module loads strictly into ``FPN`` built with the same
    arguments (mmdet itself is not needed).

    Forward: lateral 1x1 convs on the inputs ``start_level .. end_level``,
    a top-down path (nearest upsampling to the finer size, sum), a 3x3 conv
    per level, then ``num_outs - used`` extra levels: stride-2 max pooling
    of the last output, or stride-2 3x3 convs on the input / lateral /
    output (``add_extra_convs``).

    Args:
        in_channels (Sequence[int]): Channels of every backbone output, e.g.
            ``[256, 512, 1024, 2048]`` for ResNet-50 C2-C5.
        out_channels (int): Channels of every pyramid level.
        num_outs (int): Number of output levels.
        start_level (int): First backbone output used. Defaults to 0.
        end_level (int): Last backbone output used (inclusive); -1 means
            the last one. Defaults to -1.
        add_extra_convs (bool | str): False (max pooling), True or
            ``'on_input'``, ``'on_lateral'``, ``'on_output'``.
            Defaults to False.
        relu_before_extra_convs (bool): ReLU before the 2nd and later extra
            convs. Defaults to False.
        no_norm_on_lateral (bool): No norm in the lateral convs.
            Defaults to False.
        conv_cfg (dict, optional): Conv layer config. Defaults to None.
        norm_cfg (dict, optional): Norm layer config. Defaults to None.
        act_cfg (dict, optional): Activation config. Defaults to None.
        upsample_cfg (dict): Arguments of ``F.interpolate`` in the top-down
            path. Defaults to ``dict(mode='nearest')``.
        init_cfg (dict | list[dict]): Initialisation config. Defaults to
            Xavier-uniform on the convs, as mmdet.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int,
                 num_outs: int,
                 start_level: int = 0,
                 end_level: int = -1,
                 add_extra_convs: Union[bool, str] = False,
                 relu_before_extra_convs: bool = False,
                 no_norm_on_lateral: bool = False,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 upsample_cfg: dict = dict(mode='nearest'),
                 init_cfg: Union[dict, List[dict]] = dict(
                     type='Xavier', layer='Conv2d',
                     distribution='uniform')) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = list(in_channels)
        self.out_channels = out_channels
        self.num_outs = num_outs
        self.start_level = start_level
        self.relu_before_extra_convs = relu_before_extra_convs
        self.upsample_cfg = dict(upsample_cfg)
        last = len(self.in_channels) - 1
        self.end_level = last + 1 if end_level in (-1, last) else end_level + 1
        self.used_levels = self.end_level - start_level
        if self.end_level == last + 1 and num_outs < self.used_levels:
            raise ValueError(f'num_outs={num_outs} is smaller than the '
                             f'{self.used_levels} backbone levels used')
        if self.end_level <= last and num_outs != self.used_levels:
            raise ValueError('With an explicit end_level, num_outs must be '
                             'end_level - start_level + 1')
        if add_extra_convs is True:
            add_extra_convs = 'on_input'
        if add_extra_convs not in (False, 'on_input', 'on_lateral',
                                   'on_output'):
            raise ValueError(f'Unknown add_extra_convs={add_extra_convs!r}')
        self.add_extra_convs = add_extra_convs

        def conv(in_ch: int, kernel: int, stride: int = 1,
                 norm: Optional[dict] = norm_cfg) -> ConvModule:
            return ConvModule(
                in_ch,
                out_channels,
                kernel,
                stride=stride,
                padding=kernel // 2,
                conv_cfg=conv_cfg,
                norm_cfg=norm,
                act_cfg=act_cfg,
                inplace=False)

        lateral_norm = None if no_norm_on_lateral else norm_cfg
        self.lateral_convs = nn.ModuleList(
            conv(self.in_channels[i], 1, norm=lateral_norm)
            for i in range(start_level, self.end_level))
        self.fpn_convs = nn.ModuleList(
            conv(out_channels, 3) for _ in range(self.used_levels))
        if add_extra_convs:
            for i in range(num_outs - self.used_levels):
                in_ch = (
                    self.in_channels[self.end_level - 1]
                    if i == 0 and add_extra_convs == 'on_input' else
                    out_channels)
                self.fpn_convs.append(conv(in_ch, 3, stride=2))

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Build the pyramid.

        Args:
            inputs (Sequence[Tensor]): Backbone maps, fine to coarse, one
                per entry of ``in_channels``.

        Returns:
            tuple[Tensor]: ``num_outs`` maps of ``out_channels``, fine to
            coarse (e.g. P2-P6 for ResNet C2-C5 and ``num_outs=5``).
        """
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'FPN expects {len(self.in_channels)} inputs, '
                             f'got {len(inputs)}')
        laterals = [
            lateral(inputs[i + self.start_level])
            for i, lateral in enumerate(self.lateral_convs)
        ]
        for i in range(self.used_levels - 1, 0, -1):  # top-down
            laterals[i - 1] = laterals[i - 1] + self._upsample(
                laterals[i], laterals[i - 1].shape[2:])
        outs = [self.fpn_convs[i](laterals[i]) for i in range(
            self.used_levels)]
        for i in range(self.used_levels, self.num_outs):  # extra levels
            if not self.add_extra_convs:
                outs.append(F.max_pool2d(outs[-1], 1, stride=2))
                continue
            if i > self.used_levels:
                source = outs[-1]
                if self.relu_before_extra_convs:
                    source = F.relu(source)
            else:
                source = {
                    'on_input': inputs[self.end_level - 1],
                    'on_lateral': laterals[-1],
                    'on_output': outs[-1]
                }[self.add_extra_convs]
            outs.append(self.fpn_convs[i](source))
        return tuple(outs)

    def _upsample(self, x: Tensor, size) -> Tensor:
        """Upsample a coarser lateral onto the finer one's grid."""
        if 'scale_factor' in self.upsample_cfg:
            return F.interpolate(x, **self.upsample_cfg)
        return F.interpolate(x, size=size, **self.upsample_cfg)
