# Copyright (c) mmpixpro contributors. All rights reserved.
from .fpn import FPN
from .pixel_mlp_neck import PixelMLPNeck

__all__ = ['PixelMLPNeck', 'FPN']
