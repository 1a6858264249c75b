# Copyright (c) mmpixpro contributors. All rights reserved.
from .aspp_neck import ASPPNeck
from .fpn import FPN
from .pixel_mlp_neck import PixelMLPNeck
from .regioncl_neck import RegionCLNeck

__all__ = ['RegionCLNeck', 'PixelMLPNeck', 'FPN', 'ASPPNeck']
