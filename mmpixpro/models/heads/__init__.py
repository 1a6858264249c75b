# Copyright (c) mmpixpro contributors. All rights reserved.
from .ppm_head import PixelPropagationHead

__all__ = ['PixelPropagationHead']
