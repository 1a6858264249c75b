# Copyright (c) mmpixpro contributors. All rights reserved.
"""Training checkpoint -> pretrained weights for a downstream framework.

One entry point, :func:`convert_checkpoint`, for every target:

============  =========================================  ===============
target        file content                               FPN (optional)
============  =========================================  ===============
mmpretrain    ``{'state_dict': {'backbone.*'}, 'meta'}``  not supported
mmdet         ``{'state_dict': {'backbone.*', 'neck.*'}}``  ``neck.*``
mmseg         same as mmdet                               ``neck.*``
detectron2    ``.pkl``: ``stem.*``, ``res{2-5}.*``        ``fpn_*``
torchvision   bare ``resnet{depth}`` state_dict, no fc    not supported
============  =========================================  ===============

The mm formats load with
``init_cfg=dict(type='Pretrained', checkpoint=FILE, prefix='backbone.')``
on the backbone (``prefix='neck.'`` on the FPN).

The table is ResNet's. ViT, Swin and ConvNeXt backbones (recognised from
their mmpretrain keys) go through :func:`build_family_export` and the
per-family modules (:mod:`.backbones`): mm formats with their names (mmseg
ViT: bare keys), torchvision renamed, no detectron2.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from torch import Tensor

from mmpixpro.checkpoint import (check_resnet, load_state_dict,
                                 save_atomically, save_d2_pkl,
                                 stage_channels)
from .aspp import aspp_to_decode_head
from .backbones import exporter_of, stage_channels as family_stages
from .detectron2 import fpn_to_d2, resnet_to_d2
from .fpn import check_fpn_names, fpn_lateral_channels
from .online_weights import OnlineWeights, online_weights

MM_TARGETS = ('mmpretrain', 'mmdet', 'mmseg')
TARGETS = MM_TARGETS + ('detectron2', 'torchvision')
FPN_TARGETS = ('mmdet', 'mmseg', 'detectron2')
# where a pretrained ASPP head (CP2, --with-head) goes: decode_head.*
HEAD_TARGETS = ('mmseg', )
# What the downstream model names the FPN in the mm formats.
MM_NECK_PREFIX = 'neck.'
# Input normalisation of the pretraining (RGB, 0-255 scale).
PIXEL_MEAN = (123.675, 116.28, 103.53)
PIXEL_STD = (58.395, 57.12, 57.375)


@dataclass
class ExportSummary:
    """What was written.

    Args:
        target (str): One of :data:`TARGETS`.
        path (str): Output file.
        depth (int): ResNet depth.
        num_backbone (int): Backbone tensors written.
        num_fpn (int): FPN tensors written.
        notes (list[str]): Things the user must know to load the file.
        num_head (int): Pretrained ASPP head tensors written.
        family (str): Backbone family (``'resnet'``, ``'vit'``, ``'swin'``,
            ``'convnext'``); ``depth`` is 0 for the non-ResNet ones.
        arch (str): The backbone, e.g. ``'ResNet-50'`` or ``'ViT (384
            dims, 12 layers, patch 16, 14x14 grid)'``.
    """
    target: str
    path: str
    depth: int
    num_backbone: int
    num_fpn: int = 0
    notes: List[str] = field(default_factory=list)
    num_head: int = 0
    family: str = 'resnet'
    arch: str = ''

    @property
    def num_tensors(self) -> int:
        """Total number of tensors written."""
        return self.num_backbone + self.num_fpn + self.num_head

    def __str__(self) -> str:
        fpn = f' + {self.num_fpn} FPN' if self.num_fpn else ''
        fpn += f' + {self.num_head} ASPP head' if self.num_head else ''
        lines = [f'Exported {self.num_tensors} tensors '
                 f'({self.arch or f"ResNet-{self.depth}"} backbone: '
                 f'{self.num_backbone}{fpn}) '
                 f'for {self.target} -> {self.path}']
        lines += [f'  note: {n}' for n in self.notes]
        return '\n'.join(lines)


def fpn_start_level(weights: OnlineWeights,
                    stages: Optional[List[int]] = None) -> int:
    """Index (0 = C2) of the backbone level feeding the first lateral.

    Args:
        weights (OnlineWeights): Backbone and FPN weights.
        stages (list[int], optional): Channels of the backbone levels;
            defaults to the ResNet's.

    Returns:
        int: The FPN's ``start_level``.

    Raises:
        ValueError: If the laterals do not read consecutive backbone levels.
    """
    check_fpn_names(weights.fpn, weights.source)
    if stages is None:
        stages = list(stage_channels(weights.backbone))
    lateral = fpn_lateral_channels(weights.fpn)
    for start in range(len(stages) - len(lateral) + 1):
        if stages[start:start + len(lateral)] == lateral:
            return start
    raise ValueError(f'{weights.source}: the FPN laterals take {lateral} '
                     f'channels, which are no run of the backbone levels '
                     f'{stages}.')


def build_export(weights: OnlineWeights, target: str) -> tuple:
    """The object to save for ``target`` and the summary notes.

    Args:
        weights (OnlineWeights): From :func:`online_weights`.
        target (str): One of :data:`TARGETS`.

    Returns:
        tuple: ``(payload, num_backbone, num_fpn, notes)``.
    """
    if target not in TARGETS:
        raise ValueError(f'Unknown target {target!r}; choose from {TARGETS}')
    if weights.fpn and target not in FPN_TARGETS:
        raise ValueError(f'--with-fpn: {target} has no FPN to receive it; '
                         f'FPN export goes to {FPN_TARGETS}.')
    if weights.aspp and target not in HEAD_TARGETS:
        raise ValueError(f'--with-head: {target} has no ASPP decode head '
                         f'to receive it; it goes to {HEAD_TARGETS}.')
    if weights.family != 'resnet':
        return build_family_export(weights, target)
    check_resnet(weights.backbone, weights.depth,
                 f'{weights.source}: online backbone')
    notes = []
    start = fpn_start_level(weights) if weights.fpn else 0
    if weights.fpn:
        notes.append(f'FPN laterals read C{start + 2}-C'
                     f'{start + 1 + len(fpn_lateral_channels(weights.fpn))}'
                     f' (start_level={start}).')
    if target in MM_TARGETS:
        state = {f'backbone.{k}': v for k, v in weights.backbone.items()}
        state.update({f'{MM_NECK_PREFIX}{k}': v
                      for k, v in weights.fpn.items()})
        state.update(aspp_to_decode_head(weights.aspp))
        if weights.aspp:
            notes.append("ASPP head: init_cfg=dict(type='Pretrained', "
                         "checkpoint=FILE, prefix='decode_head.') on "
                         'the decode head (conv_seg stays random).')
        meta = dict(
            converter='mmpixpro', target=target, source=weights.source,
            resnet_depth=weights.depth, input='RGB',
            mean=list(PIXEL_MEAN), std=list(PIXEL_STD))
        notes.append("load with init_cfg=dict(type='Pretrained', "
                     "checkpoint=FILE, prefix='backbone.')" +
                     (" (FPN: prefix='neck.')" if weights.fpn else ''))
        return (dict(state_dict=state, meta=meta), len(weights.backbone),
                len(weights.fpn), notes)
    if target == 'torchvision':
        notes.append(f'no fc: load into torchvision resnet{weights.depth} '
                     'after model.fc = torch.nn.Identity(), or with '
                     'strict=False expecting exactly fc.weight/fc.bias '
                     'missing.')
        return dict(weights.backbone), len(weights.backbone), 0, notes
    model = resnet_to_d2(weights.backbone)
    num_backbone = len(model)
    if weights.fpn:
        model.update(fpn_to_d2(weights.fpn, first_level=start + 2))
        notes.append('detectron2 FPN must have FPN.NORM "" (no norm, with '
                     'bias) to match the pretrained FPN.')
    notes.append('num_batches_tracked dropped (FrozenBN has none); '
                 'matching_heuristics=True places stem/res* under the '
                 "detector's backbone (and roi_heads.res5 for C4).")
    return model, num_backbone, len(model) - num_backbone, notes


def build_family_export(weights: OnlineWeights, target: str) -> tuple:
    """:func:`build_export` for ViT, Swin and ConvNeXt (see
    :mod:`.backbones`).

    Args:
        weights (OnlineWeights): From :func:`online_weights`.
        target (str): One of the family's ``TARGETS``.

    Returns:
        tuple: ``(payload, num_backbone, num_fpn, notes)``.
    """
    module = exporter_of(weights.family)
    if target not in module.TARGETS:
        raise ValueError(f'{weights.arch}: exports go to {module.TARGETS}, '
                         f'not {target} (detectron2 has no {module.NAME} '
                         'backbone outside its projects).')
    if weights.aspp:
        raise ValueError('--with-head: the ASPP export is ResNet-only.')
    state, prefix, notes = module.export(weights.backbone, target)
    if target not in MM_TARGETS:
        return dict(state), len(state), 0, notes
    payload = {f'{prefix}{k}': v for k, v in state.items()}
    if weights.fpn:
        start = fpn_start_level(
            weights, family_stages(weights.family, weights.backbone))
        notes.append(f'FPN laterals read stages {start}-'
                     f'{start + len(fpn_lateral_channels(weights.fpn)) - 1}'
                     f' (start_level={start}).')
        payload.update({f'{MM_NECK_PREFIX}{k}': v
                        for k, v in weights.fpn.items()})
    meta = dict(converter='mmpixpro', target=target, source=weights.source,
                backbone=module.NAME, arch=weights.arch, input='RGB',
                mean=list(PIXEL_MEAN), std=list(PIXEL_STD))
    if prefix:
        notes.append("load with init_cfg=dict(type='Pretrained', "
                     f"checkpoint=FILE, prefix='{prefix}')" +
                     (" (FPN: prefix='neck.')" if weights.fpn else ''))
    return (dict(state_dict=payload, meta=meta), len(state),
            len(weights.fpn), notes)


def save_export(payload, target: str, path: str) -> None:
    """Write the payload of :func:`build_export`.

    Args:
        payload: The object to save.
        target (str): One of :data:`TARGETS`.
        path (str): Output file (``.pkl`` for detectron2).
    """
    if target == 'detectron2':
        if not path.endswith('.pkl'):
            raise ValueError(f'{path}: detectron2 reads its model-zoo '
                             'format only from a ".pkl" file.')
        save_d2_pkl(payload, path)
    else:
        save_atomically(payload, path)


def default_output(src: str, target: str, with_fpn: bool = False,
                   with_head: bool = False) -> str:
    """``work_dirs/x/epoch_100.pth`` -> ``.../epoch_100_mmdet.pth``.

    Args:
        src (str): Training checkpoint.
        target (str): One of :data:`TARGETS`.
        with_fpn (bool): Whether the FPN is exported.
        with_head (bool): Whether the ASPP head is exported.

    Returns:
        str: The output path next to ``src``.
    """
    stem = osp.splitext(src)[0]
    ext = '.pkl' if target == 'detectron2' else '.pth'
    head = '-aspp' if with_head else ''
    return f'{stem}_{target}{"-fpn" if with_fpn else ""}{head}{ext}'


def convert_checkpoint(src: str,
                       target: str,
                       dst: Optional[str] = None,
                       with_fpn: bool = False,
                       with_head: bool = False) -> ExportSummary:
    """Export the online backbone (and FPN) of a training checkpoint.

    Args:
        src (str): Training checkpoint written by mmengine's Runner.
        target (str): One of :data:`TARGETS`.
        dst (str, optional): Output file; defaults to
            :func:`default_output`.
        with_fpn (bool): Export ``fpn.*`` too. Defaults to False.
        with_head (bool): Export CP2's ASPP as ``decode_head.*`` (mmseg).
            Defaults to False.

    Returns:
        ExportSummary: What was written.
    """
    dst = dst or default_output(src, target, with_fpn, with_head)
    weights = online_weights(load_state_dict(src), with_fpn, source=src,
                             with_head=with_head)
    payload, num_backbone, num_fpn, notes = build_export(weights, target)
    save_export(payload, target, dst)
    return ExportSummary(target, dst, weights.depth, num_backbone, num_fpn,
                         notes, num_head=len(weights.aspp),
                         family=weights.family, arch=weights.arch)


def export_state_dict(state_dict: Dict[str, Tensor],
                      target: str,
                      with_fpn: bool = False,
                      with_head: bool = False):
    """In-memory variant of :func:`convert_checkpoint` (no file I/O).

    Args:
        state_dict (dict[str, Tensor]): A training state_dict.
        target (str): One of :data:`TARGETS`.
        with_fpn (bool): Export ``fpn.*`` too. Defaults to False.
        with_head (bool): Export CP2's ASPP too. Defaults to False.

    Returns:
        The payload :func:`convert_checkpoint` would save.
    """
    weights = online_weights(state_dict, with_fpn, with_head=with_head)
    return build_export(weights, target)[0]
