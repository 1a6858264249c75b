# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmdet's ``FPN`` parameter layout, and checks of a pretrained FPN.

The FPN-pretraining variant stores its FPN with mmdet's names:
``lateral_convs.{i}.conv.{weight,bias}`` (1x1, one per used backbone level)
and ``fpn_convs.{i}.conv.{weight,bias}`` (3x3, one per used level, then
one per extra conv level when ``add_extra_convs`` is set).

The paper pretrains on P3-P6 and transfers to Mask R-CNN R50-FPN, whose
FPN is ``FPN(in_channels=[256, 512, 1024, 2048], out_channels=256,
num_outs=5)`` (``start_level=0``, no extra convs: P6 is a max-pool of P5,
without weights). Pretraining that very module and taking outputs 1-4
(P3-P6) as the pretext levels gives weights that load key-for-key; the P2
branch (``lateral_convs.0``, ``fpn_convs.0``) then gets no pretext
gradient and is exported as initialised.
"""
import re
from typing import Dict, Mapping, Sequence, Union

from torch import Tensor

from mmpixpro.checkpoint import check_keys_and_shapes
from mmpixpro.checkpoint.key_check import Shape

_FPN_KEY = re.compile(r'^(lateral_convs|fpn_convs)\.(\d+)\.(\w+)\.(\w+)$')


def mmdet_fpn_shapes(in_channels: Sequence[int],
                     out_channels: int,
                     num_outs: int,
                     start_level: int = 0,
                     end_level: int = -1,
                     add_extra_convs: Union[bool, str] = False
                     ) -> Dict[str, Shape]:
    """Keys and shapes of mmdet's ``FPN`` without norm layers.

    Args:
        in_channels (Sequence[int]): Channels of each backbone level.
        out_channels (int): FPN channels.
        num_outs (int): Number of outputs.
        start_level (int): First backbone level used. Defaults to 0.
        end_level (int): Last level used (inclusive), -1 = the last.
            Defaults to -1.
        add_extra_convs (bool | str): False, True (= ``'on_input'``),
            ``'on_input'``, ``'on_lateral'`` or ``'on_output'``.
            Defaults to False.

    Returns:
        dict[str, tuple[int]]: ``key -> shape``.
    """
    backbone_end = len(in_channels) if end_level == -1 else end_level + 1
    shapes: Dict[str, Shape] = {}
    for i, level in enumerate(range(start_level, backbone_end)):
        shapes.update(_conv(f'lateral_convs.{i}', in_channels[level],
                            out_channels, 1))
        shapes.update(_conv(f'fpn_convs.{i}', out_channels, out_channels, 3))
    if add_extra_convs is True:
        add_extra_convs = 'on_input'
    num_used = backbone_end - start_level
    if add_extra_convs:
        for j in range(num_outs - num_used):
            cin = (in_channels[backbone_end - 1]
                   if j == 0 and add_extra_convs == 'on_input' else
                   out_channels)
            shapes.update(_conv(f'fpn_convs.{num_used + j}', cin,
                                out_channels, 3))
    return shapes


def _conv(name: str, cin: int, cout: int, k: int) -> Dict[str, Shape]:
    """Weight and bias shapes of one ``ConvModule`` without norm."""
    return {f'{name}.conv.weight': (cout, cin, k, k),
            f'{name}.conv.bias': (cout, )}


def check_fpn_names(fpn: Mapping[str, Tensor], source: str) -> None:
    """Raise unless every key follows mmdet's FPN naming.

    Args:
        fpn (Mapping[str, Tensor]): FPN weights without prefix.
        source (str): Named in the error.
    """
    bad = [k for k in fpn if not _FPN_KEY.match(k)]
    if bad:
        raise ValueError(f'{source}: "fpn.{bad[0]}" is not an mmdet FPN '
                         'parameter (expected lateral_convs.{i}.conv.* / '
                         'fpn_convs.{i}.conv.*).')


def fpn_lateral_channels(fpn: Mapping[str, Tensor]) -> list:
    """Input channels of the lateral convs, in order.

    Args:
        fpn (Mapping[str, Tensor]): FPN weights without prefix.

    Returns:
        list[int]: One entry per lateral conv.
    """
    num = len({k.split('.')[1] for k in fpn if k.startswith('lateral_')})
    return [fpn[f'lateral_convs.{i}.conv.weight'].shape[1]
            for i in range(num)]


def check_fpn(fpn: Mapping[str, Tensor], what: str, **fpn_cfg) -> None:
    """Raise unless the weights equal mmdet's ``FPN(**fpn_cfg)`` exactly.

    Args:
        fpn (Mapping[str, Tensor]): FPN weights without prefix.
        what (str): Named in the error.
        **fpn_cfg: Arguments of :func:`mmdet_fpn_shapes`.
    """
    check_keys_and_shapes(fpn, mmdet_fpn_shapes(**fpn_cfg), what)
