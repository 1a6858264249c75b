# Copyright (c) mmpixpro contributors. All rights reserved.
"""Load an exported file strictly into the architecture it is meant for.

mmengine's ``Pretrained`` init, detectron2's checkpointer and many user
scripts load non-strictly and only log missing keys; a renamed or missing
key then leaves layers random without an error. Run these checks on every
export (the converter and the benchmark launchers do).
"""
from typing import Dict, Union

from torch import Tensor, nn

from mmpixpro.checkpoint import (BACKBONE_PREFIX, KeyMismatchError,
                                 check_keys_and_shapes, check_resnet,
                                 infer_resnet_depth, load_d2_pkl,
                                 load_state_dict, resnet_shapes,
                                 strip_prefix)
from .converter import MM_NECK_PREFIX, TARGETS
from .detectron2 import d2_to_mm_key
from .aspp import DECODE_HEAD_PREFIX, verify_aspp
from .backbones import family_of_export, verify_family_export
from .fpn import check_fpn_names


def verify_export(path: str, target: str) -> Union[int, str]:
    """Check an export key for key against its architecture.

    mm formats: ``backbone.*`` must equal mmpretrain's ``ResNet(depth)``
    (the keys of mmdet's/mmseg's ``ResNet``), ``neck.*`` must be mmdet FPN
    parameters, ``decode_head.*`` mmseg ASPPHead parameters (CP2's
    ``--with-head``), nothing else may be present. torchvision: strict load
    into ``torchvision.models.resnet{depth}`` with ``fc`` removed.
    detectron2: every name maps back to a ResNet key and covers all of them.

    Args:
        path (str): The exported file.
        target (str): The target it was exported for.

    ViT, Swin, ConvNeXt (:mod:`.backbones`): names mapped back to
    mmpretrain's must equal the mmpretrain backbone built for them (mm
    formats; mmseg ViT has bare keys), or the file loads strictly into the
    torchvision model (torchvision).

    Returns:
        int | str: The ResNet depth, or the architecture of the other
        families (e.g. ``'ViT (384 dims, 12 layers, patch 16, 14x14
        grid)'``).

    Raises:
        KeyMismatchError | ValueError: On any mismatch, naming the keys.
    """
    if target not in TARGETS:
        raise ValueError(f'Unknown target {target!r}; choose from {TARGETS}')
    if target == 'detectron2':
        return _verify_d2(path)
    state = load_state_dict(path)
    family, _ = family_of_export(state, target)
    if family != 'resnet':  # ViT, Swin, ConvNeXt: see .backbones
        arch = verify_family_export(state, family, target, path)
        check_fpn_names(strip_prefix(state, MM_NECK_PREFIX), path)
        return arch
    if target == 'torchvision':
        return load_into_torchvision(state, path)
    return _verify_mm(state, path)


def _verify_mm(state: Dict[str, Tensor], path: str) -> int:
    """``backbone.*`` == ResNet(depth); ``neck.*`` FPN names; no more."""
    other = [k for k in state
             if not k.startswith((BACKBONE_PREFIX, MM_NECK_PREFIX,
                                  DECODE_HEAD_PREFIX))]
    if other:
        raise KeyMismatchError(f'{path}', [], other, [])
    backbone = strip_prefix(state, BACKBONE_PREFIX)
    if not backbone:
        raise ValueError(f'{path}: no "backbone.*" keys.')
    depth = infer_resnet_depth(backbone, path)
    check_resnet(backbone, depth, f'{path} ("backbone.*" vs ResNet-{depth})')
    check_fpn_names(strip_prefix(state, MM_NECK_PREFIX), path)
    aspp = strip_prefix(state, DECODE_HEAD_PREFIX)
    if aspp:
        verify_aspp(aspp, f'{path} ("decode_head.*" vs mmseg ASPPHead)')
    return depth


def load_into_torchvision(state: Dict[str, Tensor],
                          path: str = 'weights') -> int:
    """Strictly load a bare ResNet state_dict into torchvision's ResNet.

    Args:
        state (dict[str, Tensor]): Exported torchvision weights.
        path (str): Named in errors.

    Returns:
        int: The ResNet depth.
    """
    import torchvision
    depth = infer_resnet_depth(state, path)
    model = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    model.fc = nn.Identity()  # the export has no classifier
    check_keys_and_shapes(state, {k: v.shape for k, v in
                                  model.state_dict().items()},
                          f'{path} (vs torchvision resnet{depth})')
    model.load_state_dict(state, strict=True)
    return depth


def _verify_d2(path: str) -> int:
    """Every detectron2 name maps back; together they cover the ResNet."""
    model = load_d2_pkl(path)['model']
    backbone = {}
    for key, value in model.items():
        if key.startswith('fpn_'):
            continue
        backbone[d2_to_mm_key(key)] = value
    depth = infer_resnet_depth(backbone, path)
    expected = {k: s for k, s in resnet_shapes(depth).items()
                if not k.endswith('num_batches_tracked')}
    check_keys_and_shapes(backbone, expected,
                          f'{path} (detectron2 names vs ResNet-{depth})')
    return depth


def load_backbone_strict(module: nn.Module, path: str,
                         prefix: str = BACKBONE_PREFIX) -> None:
    """Load ``prefix*`` of an mm-format export into ``module``, strictly.

    The strict counterpart of
    ``init_cfg=dict(type='Pretrained', checkpoint=path, prefix=prefix)``.

    Args:
        module (nn.Module): e.g. an mmpretrain/mmdet/mmseg ResNet.
        path (str): An mm-format export.
        prefix (str): Defaults to ``'backbone.'``.

    Raises:
        KeyMismatchError: Naming the missing/unexpected keys.
    """
    weights = strip_prefix(load_state_dict(path), prefix)
    check_keys_and_shapes(weights, {k: v.shape for k, v in
                                    module.state_dict().items()},
                          f'{path} ("{prefix}*" vs '
                          f'{type(module).__name__})')
    module.load_state_dict(weights, strict=True)
