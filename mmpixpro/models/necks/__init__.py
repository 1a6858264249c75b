# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixel_mlp_neck import PixelMLPNeck

__all__ = ['PixelMLPNeck']
