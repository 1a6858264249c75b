# Copyright (c) mmpixpro contributors. All rights reserved.
"""ResNet (and FPN) weights in detectron2's model-zoo ``.pkl`` format.

Names: ``stem.conv1``, ``res{2-5}.{block}.conv{k}``, the BN of each conv as
``<conv>.norm.*`` (FrozenBN/SyncBN alike) and the projection shortcut as
``res{n}.0.shortcut`` (+ ``.norm``). ``num_batches_tracked`` is dropped
(detectron2's FrozenBatchNorm2d has no such buffer).

The file is ``{'model': {name: ndarray}, '__author__': ...,
'matching_heuristics': True}``. detectron2 builds its ResNet under
different parents (``backbone.bottom_up.`` for FPN, ``backbone.`` plus
``roi_heads.res5.`` for C4); only with ``matching_heuristics`` does its
``DetectionCheckpointer`` place the bare ``stem.*``/``res*`` names there
(by unique suffix). With False it would load nothing and only warn.
"""
import re
from typing import Dict, Mapping, Optional

from torch import Tensor


# (mmpretrain name, detectron2 name); {stage} is layer{s} <-> res{s + 1}.
_RESNET_RULES = (
    ('conv1.{param}', 'stem.conv1.{param}'),
    ('bn1.{param}', 'stem.conv1.norm.{param}'),
    ('layer{stage}.{block}.conv{k}.{param}',
     'res{stage}.{block}.conv{k}.{param}'),
    ('layer{stage}.{block}.bn{k}.{param}',
     'res{stage}.{block}.conv{k}.norm.{param}'),
    ('layer{stage}.{block}.downsample.0.{param}',
     'res{stage}.{block}.shortcut.{param}'),
    ('layer{stage}.{block}.downsample.1.{param}',
     'res{stage}.{block}.shortcut.norm.{param}'),
)
_DROPPED = 'num_batches_tracked'


def _compile(pattern: str) -> re.Pattern:
    """``'layer{stage}.x'`` -> a regex with named groups."""
    regex = re.escape(pattern)
    regex = re.sub(r'\\\{(\w+)\\\}', r'(?P<\1>[A-Za-z0-9_]+)', regex)
    return re.compile(f'^{regex}$')


_FORWARD = [(_compile(mm), d2) for mm, d2 in _RESNET_RULES]
_BACKWARD = [(_compile(d2), mm) for mm, d2 in _RESNET_RULES]


def _translate(key: str, rules, stage_shift: int) -> Optional[str]:
    """Apply the first matching rule; None if none matches."""
    for regex, template in rules:
        match = regex.match(key)
        if match:
            fields = match.groupdict()
            if 'stage' in fields:
                fields['stage'] = str(int(fields['stage']) + stage_shift)
            return template.format(**fields)
    return None


def mm_to_d2_key(key: str) -> Optional[str]:
    """detectron2 name of an mmpretrain ResNet key.

    Args:
        key (str): e.g. ``'layer1.0.bn2.running_var'``.

    Returns:
        str | None: e.g. ``'res2.0.conv2.norm.running_var'``; None for
        ``num_batches_tracked``.

    Raises:
        KeyError: If the key is not a ResNet parameter/buffer.
    """
    if key.endswith(_DROPPED):
        return None
    name = _translate(key, _FORWARD, +1)
    if name is None:
        raise KeyError(f'"{key}" is not a plain-stem ResNet key.')
    return name


def d2_to_mm_key(key: str) -> str:
    """mmpretrain name of a detectron2 ResNet key (inverse of the above).

    Args:
        key (str): e.g. ``'res5.2.conv3.norm.weight'``.

    Returns:
        str: e.g. ``'layer4.2.bn3.weight'``.
    """
    name = _translate(key, _BACKWARD, -1)
    if name is None:
        raise KeyError(f'"{key}" is not a detectron2 ResNet key.')
    return name


def fpn_to_d2(fpn: Mapping[str, Tensor],
              first_level: int) -> Dict[str, Tensor]:
    """mmdet FPN weights under detectron2's FPN names.

    ``lateral_convs.{i}.conv.*`` -> ``fpn_lateral{first_level + i}.*`` and
    ``fpn_convs.{i}.conv.*`` -> ``fpn_output{first_level + i}.*``.

    Args:
        fpn (Mapping[str, Tensor]): mmdet FPN weights (no prefix) without
            extra convs.
        first_level (int): Pyramid level of the first lateral, 2 for C2.

    Returns:
        dict[str, Tensor]: detectron2 FPN weights (no ``backbone.``).
    """
    num_laterals = len({k.split('.')[1] for k in fpn
                        if k.startswith('lateral_convs.')})
    out = {}
    for key, value in fpn.items():
        kind, index, _, param = key.split('.')
        if kind == 'fpn_convs' and int(index) >= num_laterals:
            raise ValueError(
                f'"fpn.{key}" is an extra (P6+) conv: detectron2\'s '
                'Mask R-CNN FPN has none (P6 is a max-pool). Export this '
                'FPN to mmdet instead.')
        name = 'fpn_lateral' if kind == 'lateral_convs' else 'fpn_output'
        out[f'{name}{first_level + int(index)}.{param}'] = value
    return out


def resnet_to_d2(backbone: Mapping[str, Tensor]) -> Dict[str, Tensor]:
    """ResNet weights under detectron2's names (BN counters dropped).

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain ResNet weights.

    Returns:
        dict[str, Tensor]: detectron2 ResNet weights.
    """
    out = {}
    for key, value in backbone.items():
        name = mm_to_d2_key(key)
        if name is not None:
            out[name] = value
    return out
