# Copyright (c) mmpixpro contributors. All rights reserved.
"""Weights in and out: safe checkpoint I/O, foreign layouts mapped onto
our models, exports to mmpretrain, mmdet, mmseg, detectron2 and torchvision
with strict checks. Needs torch (and torchvision for the strict torchvision
check), no OpenMMLab package."""
from .checkpoint import (BACKBONE_PREFIX, FPN_PREFIX, SAFE_GLOBALS,
                         CheckpointCorruptError, CheckpointRefusedError,
                         TMP_SUFFIX, load_state_dict, non_finite_entries,
                         safe_load, strip_prefix, write_atomically)
from .converter import (FPN_TARGETS, PIXEL_MEAN, PIXEL_STD, TARGETS,
                        ExportSummary, build_export, convert_checkpoint,
                        default_output, export_state_dict)
from .detectron2 import (d2_to_mm_key, fpn_to_d2, load_d2_pkl, mm_to_d2_key,
                         resnet_to_d2)
from .downstream import check_d2_config, check_mm_config
from .foreign_weights import (BackboneMismatchError, MappedWeights,
                              detect_format, map_to_model)
from .fpn import check_fpn, mmdet_fpn_shapes
from .online_weights import OnlineWeights, online_weights
from .resnet import infer_resnet_depth, resnet_shapes
from .state_dict_check import KeyMismatchError, check_keys_and_shapes
from .verify import load_backbone_strict, load_into_torchvision, verify_export

__all__ = [
    'BACKBONE_PREFIX', 'FPN_PREFIX', 'SAFE_GLOBALS', 'CheckpointCorruptError',
    'CheckpointRefusedError', 'TMP_SUFFIX', 'load_state_dict',
    'non_finite_entries', 'safe_load', 'strip_prefix', 'write_atomically',
    'BackboneMismatchError', 'MappedWeights',
    'detect_format', 'map_to_model', 'OnlineWeights',
    'online_weights', 'FPN_TARGETS', 'PIXEL_MEAN', 'PIXEL_STD', 'TARGETS',
    'ExportSummary', 'build_export', 'convert_checkpoint', 'default_output',
    'export_state_dict', 'd2_to_mm_key', 'fpn_to_d2', 'load_d2_pkl',
    'mm_to_d2_key', 'resnet_to_d2', 'check_d2_config', 'check_mm_config',
    'check_fpn', 'mmdet_fpn_shapes', 'infer_resnet_depth', 'resnet_shapes',
    'KeyMismatchError', 'check_keys_and_shapes', 'load_backbone_strict',
    'load_into_torchvision', 'verify_export'
]
