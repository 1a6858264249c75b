# Copyright (c) mmpixpro contributors. All rights reserved.
from .vit_maps import ViTPatchAndClassMaps

__all__ = ['ViTPatchAndClassMaps']
