# Copyright (c) mmpixpro contributors. All rights reserved.
"""Weights out: exports to mmpretrain, mmdet, mmseg, detectron2 and
torchvision with strict checks, and the downstream configs they go with.
Files are read and written through :mod:`mmpixpro.checkpoint`. Needs torch
(and torchvision for the strict torchvision check), no OpenMMLab package."""
from .aspp import (aspp_to_decode_head, check_aspp, mmseg_aspp_shapes,
                   select_aspp, verify_aspp)
from .converter import (FPN_TARGETS, PIXEL_MEAN, PIXEL_STD, TARGETS,
                        ExportSummary, build_export, convert_checkpoint,
                        default_output, export_state_dict)
from .backbones import EXPORTERS, family_of_export, verify_family_export
from .detectron2 import d2_to_mm_key, fpn_to_d2, mm_to_d2_key, resnet_to_d2
from .finetune_config import check_d2_config, check_mm_config
from .families import detect_family
from .fpn import check_fpn, mmdet_fpn_shapes
from .online_weights import OnlineWeights, online_weights
from .verify import load_backbone_strict, load_into_torchvision, verify_export


__all__ = [
    'FPN_TARGETS', 'PIXEL_MEAN', 'PIXEL_STD', 'TARGETS', 'ExportSummary',
    'build_export', 'convert_checkpoint', 'default_output',
    'export_state_dict', 'd2_to_mm_key', 'fpn_to_d2',
    'mm_to_d2_key', 'resnet_to_d2', 'check_d2_config', 'check_mm_config',
    'check_fpn', 'mmdet_fpn_shapes', 'OnlineWeights', 'online_weights',
    'load_backbone_strict', 'load_into_torchvision', 'verify_export',
    'aspp_to_decode_head', 'check_aspp', 'mmseg_aspp_shapes', 'select_aspp',
    'verify_aspp', 'EXPORTERS', 'family_of_export', 'verify_family_export',
    'detect_family'
]
