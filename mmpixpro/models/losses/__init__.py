# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixcontrast_loss import PixContrastLoss
from .pixpro_loss import PixProLoss

__all__ = ['PixProLoss', 'PixContrastLoss']
