# Copyright (c) mmpixpro contributors. All rights reserved.
"""Per-pixel MLPs made of 1x1 convolutions, shared by necks and heads."""
from typing import Optional

from mmcv.cnn import build_norm_layer
from torch import nn


def build_pixel_mlp(in_channels: int,
                    out_channels: int,
                    hid_channels: Optional[int] = None,
                    num_layers: int = 2,
                    norm_cfg: dict = dict(type='BN'),
                    bias: bool = True) -> nn.Module:
    """Build ``num_layers`` 1x1 convs with BN-ReLU between them.

    ``0`` layers is the identity, ``1`` layer a single 1x1 conv
    ``in -> out``, ``2`` layers ``conv(in -> hid) - BN - ReLU -
    conv(hid -> out)``, and so on (every hidden width is ``hid``).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (ignored for 0 layers).
        hid_channels (int, optional): Hidden channels; defaults to
            ``out_channels``.
        num_layers (int): Number of 1x1 convs. Defaults to 2.
        norm_cfg (dict): Norm layer between convs. Defaults to BN.
        bias (bool): Whether the convs have a bias. Defaults to True.

    Returns:
        nn.Module: The MLP, applied independently at every pixel.
    """
    if num_layers < 0:
        raise ValueError(f'num_layers must be >= 0, got {num_layers}')
    if num_layers == 0:
        if in_channels != out_channels:
            raise ValueError('An identity MLP (num_layers=0) needs '
                             f'in_channels == out_channels, got {in_channels} '
                             f'and {out_channels}')
        return nn.Identity()
    hid_channels = hid_channels or out_channels
    widths = [in_channels] + [hid_channels] * (num_layers - 1) + [
        out_channels
    ]
    layers = []
    for i in range(num_layers):
        layers.append(
            nn.Conv2d(widths[i], widths[i + 1], kernel_size=1, bias=bias))
        if i < num_layers - 1:
            layers.append(build_norm_layer(norm_cfg, widths[i + 1])[1])
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)
