# Copyright (c) mmpixpro contributors. All rights reserved.
from .cp2_loss import CP2Loss, mask_pool
from .knn_positive_loss import KNNPositiveLoss
from .pixcontrast_loss import PixContrastLoss
from .pixpro_loss import PixProLoss
from .region_contrast_loss import RegionContrastLoss
from .masked_byol_loss import MaskedBYOLLoss

__all__ = [
    'RegionContrastLoss',
    'MaskedBYOLLoss', 'PixProLoss', 'PixContrastLoss', 'KNNPositiveLoss',
           'CP2Loss', 'mask_pool']
