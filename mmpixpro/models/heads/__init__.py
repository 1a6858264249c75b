# Copyright (c) mmpixpro contributors. All rights reserved.
from .cp2_head import CP2Head
from .densesiam_head import DenseSiamHead
from .instance_head import InstanceBranchHead
from .moco_knn_head import MoCoKNNHead
from .pixel_contrast_head import PixelContrastHead
from .ppm_head import PixelPropagationHead
from .mask_byol_head import MaskBYOLHead

__all__ = [
    'DenseSiamHead',
    'MaskBYOLHead',
    'PixelPropagationHead', 'PixelContrastHead', 'InstanceBranchHead',
    'MoCoKNNHead', 'CP2Head'
]
