# Copyright (c) mmpixpro contributors. All rights reserved.
from .color_jitter import RandomColorJitter
from .gaussian_blur import RandomGaussianBlur
from .grayscale import RandomRGBGrayscale
from .loading import (ImageDecodeError, ImageTooSmallError,
                      LoadRGBImageFromFile)
from .random_flip import RandomHorizontalFlipWithBox
from .random_resized_crop import (RandomResizedCropWithBox, crop_to_box,
                                  get_params)
from .solarize import RandomSolarize
from .two_view import TwoViewTransform

__all__ = [
    'LoadRGBImageFromFile', 'ImageDecodeError', 'ImageTooSmallError',
    'RandomResizedCropWithBox', 'get_params', 'crop_to_box',
    'RandomHorizontalFlipWithBox', 'RandomColorJitter', 'RandomRGBGrayscale',
    'RandomGaussianBlur', 'RandomSolarize', 'TwoViewTransform'
]
