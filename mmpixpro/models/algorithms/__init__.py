# Copyright (c) mmpixpro contributors. All rights reserved.
from .cp2 import CP2
from .densesiam import DenseSiam
from .momentum_baselines import MomentumBYOL, MomentumDenseCL, MomentumMoCo
from .multicrop_moco import MultiCropMoCo
from .pixpro import PixPro
from .pixpro_instance import PixProInstance
from .regioncl import RegionCLM
from .simclr import SimCLR
from .swav import MultiCropSwAV
from .r2o import R2O

__all__ = [
    'DenseSiam',
    'R2O',
    'CP2',
    'MultiCropMoCo',
    'MomentumBYOL', 'MomentumDenseCL', 'MomentumMoCo', 'MultiCropSwAV',
    'PixPro', 'PixProInstance', 'RegionCLM', 'SimCLR'
]
