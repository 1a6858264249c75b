# Copyright (c) mmpixpro contributors. All rights reserved.
"""Read a training checkpoint and pick out the ONLINE networks.

A PixPro-family training checkpoint (written by mmengine's Runner) holds
``backbone.*`` (online encoder), ``neck.*``/``head.*`` (pretext modules),
optionally ``fpn.*`` (an mmdet-style FPN for head pretraining) and the
momentum copies under ``target_net.*`` (or mmpretrain's
``momentum_encoder.*``). Only ``backbone.*`` and, on request, ``fpn.*``
are ever exported: the selection is by allow-list, so no momentum weight
can slip through whatever its prefix.
"""
from dataclasses import dataclass, field
from typing import Dict, Mapping

from torch import Tensor

from .resnet import infer_resnet_depth

BACKBONE_PREFIX = 'backbone.'
FPN_PREFIX = 'fpn.'
_WRAPPER_PREFIX = 'module.'  # DistributedDataParallel


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


def load_state_dict(path: str) -> Dict[str, Tensor]:
    """Load the ``state_dict`` of a checkpoint safely (weights only).

    Args:
        path (str): A Runner checkpoint (``{'state_dict': ...}``) or a bare
            state_dict file.

    Returns:
        dict[str, Tensor]: The state_dict, ``module.`` prefixes removed.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If the file is not a weights-only checkpoint.
    """
    # imported here: mmpixpro.utils imports this package (foreign weights)
    from mmpixpro.utils.safe_checkpoint import (CheckpointRefusedError,
                                                safe_load)
    try:
        ckpt = safe_load(path)
    except CheckpointRefusedError as err:
        raise ValueError(str(err)) from err
    state_dict = ckpt.get('state_dict', ckpt) if isinstance(ckpt,
                                                             dict) else None
    if not isinstance(state_dict, Mapping):
        raise ValueError(f'{path}: expected a dict with a "state_dict", got '
                         f'{type(ckpt).__name__}.')
    non_tensor = [k for k, v in state_dict.items()
                  if not isinstance(v, Tensor)]
    if non_tensor:
        raise ValueError(f'{path}: "state_dict" has non-tensor entries, '
                         f'e.g. {non_tensor[0]!r}.')
    if state_dict and all(k.startswith(_WRAPPER_PREFIX) for k in state_dict):
        state_dict = {k[len(_WRAPPER_PREFIX):]: v
                      for k, v in state_dict.items()}
    return dict(state_dict)


def strip_prefix(state_dict: Mapping[str, Tensor],
                 prefix: str) -> Dict[str, Tensor]:
    """The entries under ``prefix``, with the prefix removed.

    Args:
        state_dict (Mapping[str, Tensor]): Full state_dict.
        prefix (str): e.g. ``'backbone.'``.

    Returns:
        dict[str, Tensor]: The selected entries.
    """
    return {k[len(prefix):]: v for k, v in state_dict.items()
            if k.startswith(prefix)}


def online_weights(state_dict: Mapping[str, Tensor],
                   with_fpn: bool = False,
                   source: str = 'checkpoint') -> OnlineWeights:
    """Select the online backbone (and FPN) of a training state_dict.

    Args:
        state_dict (Mapping[str, Tensor]): A training state_dict.
        with_fpn (bool): Also take ``fpn.*``. Defaults to False.
        source (str): Named in errors. Defaults to ``'checkpoint'``.

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
    depth = infer_resnet_depth(backbone, f'{source} ("backbone.*")')
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
        source=source)


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
