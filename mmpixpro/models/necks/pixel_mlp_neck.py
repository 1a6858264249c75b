# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Sequence, Tuple, Union

from mmengine.model import BaseModule
from torch import Tensor

from mmpixpro.registry import MODELS
from ..utils import build_pixel_mlp


@MODELS.register_module()
class PixelMLPNeck(BaseModule):
    """The per-pixel projector of PixPro.

    ``1x1 conv (C_in -> C_hid, bias) - BN - ReLU - 1x1 conv (C_hid -> C_out,
    bias)`` applied at every position of every input map: with a ResNet-50
    C5 map at 224 px, (N, 2048, 7, 7) -> (N, 256, 7, 7). The same weights are
    applied to every level of a multi-level input (e.g. FPN outputs).

    Args:
        in_channels (int): Channels of the input maps. Defaults to 2048.
        hid_channels (int): Hidden channels. Defaults to 4096.
        out_channels (int): Output channels. Defaults to 256.
        num_layers (int): Number of 1x1 convs. Defaults to 2.
        norm_cfg (dict): Norm between the convs. Defaults to BN.
        in_index (int | Sequence[int] | None): Which of the input maps to
            project; None projects all of them. Defaults to None.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 hid_channels: int = 4096,
                 out_channels: int = 256,
                 num_layers: int = 2,
                 norm_cfg: dict = dict(type='BN'),
                 in_index: Optional[Union[int, Sequence[int]]] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_index = in_index
        self.mlp = build_pixel_mlp(in_channels, out_channels, hid_channels,
                                   num_layers, norm_cfg)

    def forward(self, inputs: Union[Tensor, Sequence[Tensor]]
                ) -> Tuple[Tensor, ...]:
        """Project every selected map.

        Args:
            inputs (Tensor | Sequence[Tensor]): Map(s) of shape
                (N, C_in, H, W), e.g. the backbone's output tuple.

        Returns:
            tuple[Tensor]: Projected maps x of shape (N, C_out, H, W).
        """
        if isinstance(inputs, Tensor):
            inputs = (inputs, )
        if isinstance(self.in_index, int):
            inputs = (inputs[self.in_index], )
        elif self.in_index is not None:
            inputs = tuple(inputs[i] for i in self.in_index)
        return tuple(self.mlp(x) for x in inputs)
