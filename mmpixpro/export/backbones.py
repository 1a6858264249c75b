# Copyright (c) mmpixpro contributors. All rights reserved.
"""Dispatch of the transformer / ConvNeXt exports per (family, target),
and their strict verification.

ResNet keeps its own path (:mod:`.converter`, :mod:`.verify`); ViT, Swin
and ConvNeXt go through one module each (:mod:`.vit`, :mod:`.swin`,
:mod:`.convnext`) with the same interface: ``NAME``, ``TARGETS``,
``describe``, ``export``, ``from_target``, ``build_mmpretrain``,
``build_torchvision``. An export is verified by mapping its names back to
mmpretrain's and comparing keys and shapes with the mmpretrain backbone
built for them (mm targets), or by a strict load into the torchvision model
(torchvision).
"""
from types import ModuleType
from typing import Dict, Mapping, Tuple

from torch import Tensor

from mmpixpro.checkpoint import (BACKBONE_PREFIX, KeyMismatchError,
                                 check_keys_and_shapes, shapes_of,
                                 strip_prefix)
from . import convnext, swin, vit
from .families import detect_family

EXPORTERS: Dict[str, ModuleType] = {
    m.NAME: m for m in (vit, swin, convnext)}
MM_TARGETS = ('mmpretrain', 'mmdet', 'mmseg')
MM_NECK = 'neck.'


def exporter_of(family: str) -> ModuleType:
    """The exporter module of a non-ResNet family."""
    return EXPORTERS[family]


def family_of_export(state: Mapping[str, Tensor],
                     target: str) -> Tuple[str, Dict[str, Tensor]]:
    """Family and backbone weights (target names, no prefix) of an export.

    Args:
        state (Mapping[str, Tensor]): The exported state_dict.
        target (str): The target it was written for.

    Returns:
        tuple: ``(family, backbone)``; family ``'resnet'`` when it is none
        of the transformer / ConvNeXt layouts.
    """
    if target == 'torchvision':
        keys = set(state)
        if 'class_token' in keys:
            return 'vit', dict(state)
        if 'features.1.0.attn.qkv.weight' in keys:
            return 'swin', dict(state)
        if 'features.1.0.layer_scale' in keys:
            return 'convnext', dict(state)
        return 'resnet', dict(state)
    backbone = strip_prefix(state, BACKBONE_PREFIX)
    if not backbone and 'layers.0.attn.attn.in_proj_weight' in state:
        return 'vit', dict(state)  # mmseg ViT: bare keys
    if not backbone:
        return 'resnet', {}
    try:
        return detect_family(backbone), backbone
    except ValueError:
        return 'resnet', backbone


def verify_family_export(state: Mapping[str, Tensor], family: str,
                         target: str, path: str = 'export') -> str:
    """Check a ViT / Swin / ConvNeXt export key for key.

    Args:
        state (Mapping[str, Tensor]): The exported state_dict.
        family (str): ``'vit'``, ``'swin'`` or ``'convnext'``.
        target (str): The target it was written for.
        path (str): Named in errors.

    Returns:
        str: The architecture, e.g. ``'ViT (384 dims, 12 layers, ...)'``.

    Raises:
        KeyMismatchError: Naming missing / unexpected / reshaped keys.
    """
    module = exporter_of(family)
    if target == 'torchvision':
        mm = module.from_target(state, target)
        model = module.build_torchvision(mm)
        check_keys_and_shapes(state, shapes_of(model.state_dict()),
                              f'{path} (vs torchvision {module.NAME})')
        model.load_state_dict(state, strict=True)
        return module.describe(mm)
    bare = family == 'vit' and target == 'mmseg'
    prefix = '' if bare else BACKBONE_PREFIX
    if bare:
        backbone = dict(state)
    else:
        other = [k for k in state
                 if not k.startswith((BACKBONE_PREFIX, MM_NECK))]
        if other:
            raise KeyMismatchError(path, [], other, [])
        backbone = strip_prefix(state, BACKBONE_PREFIX)
    mm = module.from_target(backbone, target)
    reference = module.build_mmpretrain(mm)
    check_keys_and_shapes(
        mm, shapes_of(reference.state_dict()),
        f'{path} ("{prefix}*" vs mmpretrain {type(reference).__name__})')
    return module.describe(mm)


def stage_channels(family: str, backbone: Mapping[str, Tensor]) -> list:
    """Channels of the stages an FPN can read (Swin, ConvNeXt).

    Args:
        family (str): ``'swin'`` or ``'convnext'``.
        backbone (Mapping[str, Tensor]): mmpretrain weights.

    Returns:
        list[int]: One entry per stage.
    """
    if family == 'swin':
        a = swin.swin_arch(backbone)
        return [a['arch']['embed_dims'] * 2**i
                for i in range(len(a['arch']['depths']))]
    if family == 'convnext':
        return list(convnext.convnext_arch(backbone)['arch']['channels'])
    raise ValueError(f'{family}: no FPN pretraining path (single-scale '
                     'patch grid).')
