# Copyright (c) mmpixpro contributors. All rights reserved.
from .color_jitter import ColorJitter
from .gaussian_blur import RandomGaussianBlur
from .grayscale import RandomGrayscale
from .loading import (ImageDecodeError, ImageTooSmallError,
                      LoadRGBImageFromFile)
from .random_flip import RandomHorizontalFlipWithBox
from .random_resized_crop import (RandomResizedCropWithBox, crop_to_box,
                                  get_params)
from .solarize import RandomSolarize
from .two_view import TwoViewTransform

__all__ = [
    'LoadRGBImageFromFile', 'ImageDecodeError', 'ImageTooSmallError',
    'RandomResizedCropWithBox',
    'get_params', 'crop_to_box', 'RandomHorizontalFlipWithBox', 'ColorJitter',
    'RandomGrayscale', 'RandomGaussianBlur', 'RandomSolarize',
    'TwoViewTransform'
]
