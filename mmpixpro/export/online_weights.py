# Copyright (c) mmpixpro contributors. All rights reserved.
"""Pick the ONLINE networks out of a training checkpoint.

A PixPro-family training checkpoint (written by mmengine's Runner) holds
``backbone.*`` (online encoder), ``neck.*``/``head.*`` (pretext modules),
optionally ``fpn.*`` (an mmdet-style FPN for head pretraining) and the
momentum copies under ``target_net.*`` (``encoder_k.*`` for MoCo and
DenseCL). Only ``backbone.*`` and, on request, ``fpn.*``
are ever exported: the selection is by allow-list, so no momentum weight
can slip through whatever its prefix.
"""
from dataclasses import dataclass, field
from typing import Dict, Mapping

from torch import Tensor

from mmpixpro.checkpoint import (BACKBONE_PREFIX, FPN_PREFIX,
                                 infer_resnet_depth, strip_prefix)
from .aspp import select_aspp
from .backbones import EXPORTERS
from .families import detect_family


@dataclass
class OnlineWeights:
    """The exportable part of a training checkpoint.

    Args:
        backbone (dict[str, Tensor]): Online ResNet weights, no prefix.
        fpn (dict[str, Tensor]): Online FPN weights, no prefix (empty when
            not asked for).
        depth (int): ResNet depth.
        source (str): Where they came from (for messages).
    """
    backbone: Dict[str, Tensor]
    depth: int
    fpn: Dict[str, Tensor] = field(default_factory=dict)
    source: str = 'checkpoint'
    # 'resnet', 'vit', 'swin' or 'convnext' (families.detect_family); depth
    # is 0 for the non-ResNet families, arch describes them
    family: str = 'resnet'
    arch: str = ''
    # CP2's pretrained ASPP (mmseg ASPPHead names, no prefix), on request
    aspp: Dict[str, Tensor] = field(default_factory=dict)


def online_weights(state_dict: Mapping[str, Tensor],
                   with_fpn: bool = False,
                   source: str = 'checkpoint',
                   with_head: bool = False) -> OnlineWeights:
    """Select the online backbone (and FPN) of a training state_dict.

    Args:
        state_dict (Mapping[str, Tensor]): A training state_dict.
        with_fpn (bool): Also take ``fpn.*``. Defaults to False.
        source (str): Named in errors. Defaults to ``'checkpoint'``.
        with_head (bool): Also take CP2's ASPP (``neck.*``, see
            :mod:`mmpixpro.export.aspp`). Defaults to False.

    Returns:
        OnlineWeights: Backbone (and FPN) weights, cloned, prefixes
        removed.

    Raises:
        ValueError: If there is no PixPro-family online ResNet, or
            ``with_fpn`` is set and there is no ``fpn.*``.
    """
    backbone = strip_prefix(state_dict, BACKBONE_PREFIX)
    if not backbone:
        raise ValueError(_no_backbone_message(state_dict, source))
    try:
        family = detect_family(backbone, f'{source} ("backbone.*")')
    except ValueError:  # infer_resnet_depth says what is wrong
        family = 'resnet'
    depth, arch = 0, ''
    if family == 'resnet':
        depth = infer_resnet_depth(backbone, f'{source} ("backbone.*")')
        arch = f'ResNet-{depth}'
    else:
        arch = EXPORTERS[family].describe(backbone)
    fpn: Dict[str, Tensor] = {}
    if with_fpn:
        fpn = strip_prefix(state_dict, FPN_PREFIX)
        if not fpn:
            raise ValueError(
                f'{source}: --with-fpn asks for the FPN but there is no '
                '"fpn.*" key: the checkpoint comes from a model without '
                'FPN head pretraining. Export without --with-fpn.')
    return OnlineWeights(
        backbone={k: v.detach().clone() for k, v in backbone.items()},
        fpn={k: v.detach().clone() for k, v in fpn.items()},
        depth=depth,
        source=source,
        family=family,
        arch=arch,
        aspp=select_aspp(state_dict, source) if with_head else {})


def _no_backbone_message(state_dict: Mapping[str, Tensor],
                         source: str) -> str:
    """Explain why a state_dict has no exportable online backbone."""
    prefixes = sorted({k.split('.', 1)[0] for k in state_dict})
    hint = ''
    if 'conv1.weight' in state_dict or 'stem.conv1.weight' in state_dict:
        hint = (' It looks like an already exported backbone; convert the '
                'training checkpoint instead.')
    return (f'{source}: no PixPro-family online backbone (no "backbone.*" '
            f'keys; top-level prefixes: {prefixes[:10]}).{hint}')
