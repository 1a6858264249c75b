# Copyright (c) mmpixpro contributors. All rights reserved.
from .momentum_baselines import MomentumBYOL, MomentumDenseCL, MomentumMoCo
from .pixpro import PixPro
from .pixpro_instance import PixProInstance
from .simclr import SimCLR

__all__ = [
    'MomentumBYOL', 'MomentumDenseCL', 'MomentumMoCo', 'PixPro',
    'PixProInstance', 'SimCLR'
]
