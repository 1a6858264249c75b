# Copyright (c) mmpixpro contributors. All rights reserved.
from .color_jitter import RandomColorJitter
from .gaussian_blur import RandomGaussianBlur
from .grayscale import RandomRGBGrayscale
from .loading import (ImageDecodeError, ImageTooSmallError,
                      LoadRGBImageFromFile)
from .multi_view import MultiViewTransform
from .paste_box import RandomPasteBox, sample_paste_box
from .random_choice import RandomPipelineChoice
from .random_flip import RandomHorizontalFlipWithBox
from .random_resized_crop import (RandomResizedCropWithBox, crop_to_box,
                                  get_params, sample_crop_params,
                                  share_inside)
from .solarize import RandomSolarize
from .two_view import TwoViewTransform
from .full_image_view import FullImageWithBox
from .slic import SLICSuperpixels

__all__ = [
    'FullImageWithBox', 'SLICSuperpixels',
    'RandomPipelineChoice',
    'LoadRGBImageFromFile', 'ImageDecodeError', 'ImageTooSmallError',
    'RandomResizedCropWithBox', 'get_params', 'sample_crop_params',
    'share_inside', 'crop_to_box', 'MultiViewTransform',
    'RandomHorizontalFlipWithBox', 'RandomColorJitter', 'RandomRGBGrayscale',
    'RandomGaussianBlur', 'RandomSolarize', 'TwoViewTransform',
    'RandomPasteBox', 'sample_paste_box'
]
