# Copyright (c) mmpixpro contributors. All rights reserved.
"""Recognise a plain-stem ResNet state_dict (mmpretrain/mmdet/mmseg names).

mmpretrain's ``ResNet``, mmdet's ``ResNet`` and mmseg's ``ResNet`` (not the
``V1c``/``V1d`` variants) and torchvision's ``resnet*`` share one naming:
``conv1``, ``bn1``, ``layer{1-4}.{block}.conv{k}/bn{k}/downsample.{0,1}``.
"""
import re
from typing import Dict, Mapping, Tuple

from torch import Tensor

from .key_check import Shape, check_keys_and_shapes, shapes_of

# depth -> (block has conv3 (Bottleneck), blocks per stage)
RESNET_LAYOUTS: Dict[int, Tuple[bool, Tuple[int, int, int, int]]] = {
    18: (False, (2, 2, 2, 2)),
    34: (False, (3, 4, 6, 3)),
    50: (True, (3, 4, 6, 3)),
    101: (True, (3, 4, 23, 3)),
    152: (True, (3, 8, 36, 3)),
}

_BLOCK_KEY = re.compile(r'^layer([1-4])\.(\d+)\.')


def infer_resnet_depth(backbone: Mapping[str, Tensor],
                       source: str = 'checkpoint') -> int:
    """The depth of a plain-stem ResNet from its keys.

    Args:
        backbone (Mapping[str, Tensor]): Backbone weights without prefix.
        source (str): Named in errors (e.g. the file).

    Returns:
        int: 18, 34, 50, 101 or 152.

    Raises:
        ValueError: If the weights are not a plain-stem ResNet.
    """
    if any(key.startswith('stem.') for key in backbone):
        raise ValueError(
            f'{source}: the backbone has a deep stem (keys "stem.*", '
            'ResNetV1c/V1d). The exporter handles the plain-stem ResNet '
            '(conv1 + bn1) that PixPro pretrains.')
    if 'conv1.weight' not in backbone:
        raise ValueError(f'{source}: no "conv1.weight" in the backbone: '
                         'not a ResNet backbone.')
    blocks = [0, 0, 0, 0]
    for key in backbone:
        match = _BLOCK_KEY.match(key)
        if match:
            stage, block = int(match.group(1)) - 1, int(match.group(2))
            blocks[stage] = max(blocks[stage], block + 1)
    bottleneck = any(key.endswith('.conv3.weight') for key in backbone)
    for depth, layout in RESNET_LAYOUTS.items():
        if layout == (bottleneck, tuple(blocks)):
            return depth
    kind = 'Bottleneck' if bottleneck else 'BasicBlock'
    raise ValueError(f'{source}: a {kind} ResNet with {blocks} blocks per '
                     'stage matches no standard depth (18/34/50/101/152).')


_TORCHVISION_DEPTHS = (18, 34, 50, 101, 152)


def resnet_shapes(depth: int) -> Dict[str, Shape]:
    """Keys and shapes of a plain ResNet of ``depth`` (no classifier).

    These are the keys of mmpretrain's, mmdet's and mmseg's plain
    ``ResNet(depth)`` and of torchvision's ``resnet{depth}`` without
    ``fc``. They are read off torchvision's model (no meta device needed:
    construction only), so that checking an export needs neither mmcv nor
    mmpretrain (the detectron2 environment has neither).

    Args:
        depth (int): ResNet depth.

    Returns:
        dict[str, tuple[int]]: ``key -> shape``, BN buffers included.
    """
    import torchvision
    if depth not in _TORCHVISION_DEPTHS:
        raise ValueError(f'ResNet depth {depth} is not one of '
                         f'{_TORCHVISION_DEPTHS}')
    model = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    return {key: shape for key, shape in shapes_of(model.state_dict()).items()
            if not key.startswith('fc.')}


def check_resnet(backbone: Mapping[str, Tensor], depth: int,
                 what: str) -> None:
    """Raise unless the weights equal ``ResNet(depth)`` key for key.

    Args:
        backbone (Mapping[str, Tensor]): Backbone weights without prefix.
        depth (int): Expected depth.
        what (str): Named in the error message.
    """
    check_keys_and_shapes(backbone, resnet_shapes(depth), what)


def stage_channels(backbone: Mapping[str, Tensor]) -> Tuple[int, ...]:
    """Output channels of the four stages (C2..C5).

    Args:
        backbone (Mapping[str, Tensor]): ResNet weights without prefix.

    Returns:
        tuple[int]: e.g. ``(256, 512, 1024, 2048)`` for ResNet-50.
    """
    channels = []
    for stage in range(1, 5):
        last = max(int(m.group(2)) for m in map(_BLOCK_KEY.match, backbone)
                   if m and m.group(1) == str(stage))
        conv = f'layer{stage}.{last}.conv3.weight'
        if conv not in backbone:
            conv = f'layer{stage}.{last}.conv2.weight'
        channels.append(backbone[conv].shape[0])
    return tuple(channels)
