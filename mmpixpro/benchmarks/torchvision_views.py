# Copyright (c) mmpixpro contributors. All rights reserved.
"""The reference two-view pipeline: the paper's augmentations with
torchvision on PIL images, as the authors' released code applies them."""
from typing import List

import torch
import torchvision
from PIL import Image, ImageFilter


class PILGaussianBlur:
    """PIL's Gaussian blur with ``sigma ~ U(0.1, 2.0)``: the blur of the
    authors' released PixPro code (the reference pipeline's)."""

    def __call__(self, img: Image.Image) -> Image.Image:
        """Blur ``img`` with a freshly drawn sigma."""
        sigma = float(torch.empty(1).uniform_(0.1, 2.0))
        return img.filter(ImageFilter.GaussianBlur(radius=sigma))


def torchvision_view(size: int, blur_prob: float, solarize_prob: float):
    """One view of the paper's augmentations with torchvision on PIL.

    RandomResizedCrop (scale 0.08-1, bilinear, antialiased), flip,
    ColorJitter(0.4, 0.4, 0.2, 0.1) with p=0.8, grayscale p=0.2, PIL's
    Gaussian blur with ``blur_prob``, solarize with ``solarize_prob``,
    then a ``uint8`` tensor (as our pipeline gives).

    Args:
        size (int): Crop size.
        blur_prob (float): Probability of the blur.
        solarize_prob (float): Probability of solarisation.

    Returns:
        torchvision.transforms.Compose: The view transform.
    """
    T = torchvision.transforms
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([PILGaussianBlur()], p=blur_prob),
        T.RandomSolarize(128, p=solarize_prob),
        T.PILToTensor(),
    ])


class TorchvisionTwoViews(torch.utils.data.Dataset):
    """The reference pipeline: PIL decoding, two torchvision views.

    Args:
        files (list[str]): Image files.
        size (int): Crop size. Defaults to 224.
    """

    def __init__(self, files: List[str], size: int = 224) -> None:
        self.files = files
        self.views = (torchvision_view(size, 1.0, 0.0),
                      torchvision_view(size, 0.1, 0.2))

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> list:
        with Image.open(self.files[index]) as img:
            img = img.convert('RGB')
        return [view(img) for view in self.views]
