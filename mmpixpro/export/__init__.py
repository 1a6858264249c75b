# Copyright (c) mmpixpro contributors. All rights reserved.
"""Export pretrained weights to mmpretrain, mmdet, mmseg, detectron2 and
torchvision, and check exports strictly. Imports none of those libraries
except torchvision (for the strict torchvision check)."""
from .checkpoint import (BACKBONE_PREFIX, FPN_PREFIX, OnlineWeights,
                         load_state_dict, online_weights, strip_prefix)
from .converter import (FPN_TARGETS, PIXEL_MEAN, PIXEL_STD, TARGETS,
                        ExportSummary, build_export, convert_checkpoint,
                        default_output, export_state_dict)
from .detectron2 import (d2_to_mm_key, fpn_to_d2, load_d2_pkl, mm_to_d2_key,
                         resnet_to_d2)
from .downstream import check_d2_config, check_mm_config
from .fpn import check_fpn, mmdet_fpn_shapes
from .resnet import infer_resnet_depth, resnet_shapes
from .state_dict_check import KeyMismatchError, check_keys_and_shapes
from .verify import load_backbone_strict, load_into_torchvision, verify_export

__all__ = [
    'BACKBONE_PREFIX', 'FPN_PREFIX', 'OnlineWeights', 'load_state_dict',
    'online_weights', 'strip_prefix', 'FPN_TARGETS', 'PIXEL_MEAN',
    'PIXEL_STD', 'TARGETS', 'ExportSummary', 'build_export',
    'convert_checkpoint', 'default_output', 'export_state_dict',
    'd2_to_mm_key', 'fpn_to_d2', 'load_d2_pkl', 'mm_to_d2_key',
    'resnet_to_d2', 'check_d2_config', 'check_mm_config', 'check_fpn',
    'mmdet_fpn_shapes', 'infer_resnet_depth', 'resnet_shapes',
    'KeyMismatchError', 'check_keys_and_shapes', 'load_backbone_strict',
    'load_into_torchvision', 'verify_export'
]
