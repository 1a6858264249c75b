# Copyright (c) mmpixpro contributors. All rights reserved.
from .instance_head import InstanceBranchHead
from .moco_knn_head import MoCoKNNHead
from .pixel_contrast_head import PixelContrastHead
from .ppm_head import PixelPropagationHead

__all__ = [
    'PixelPropagationHead', 'PixelContrastHead', 'InstanceBranchHead',
    'MoCoKNNHead'
]
