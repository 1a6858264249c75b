# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixpro_loss import PixProLoss

__all__ = ['PixProLoss']
