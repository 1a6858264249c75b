# Copyright (c) mmpixpro contributors. All rights reserved.
"""Pixel operations on RGB ``uint8`` images of shape (H, W, 3).

Each function maps a ``uint8`` image to a new ``uint8`` image with the
arithmetic of torchvision's functional ops on PIL images (the paper's
pipeline), so that the same parameters give the same pixels:

- colour jitter blends like PIL's ``ImageEnhance`` (float32
  ``other + factor * (img - other)``, clipped, truncated); brightness and
  contrast are 256-entry look-up tables;
- the luma is PIL's ``convert('L')``;
- the hue shift goes through a ``uint8`` HSV image quantised as PIL's
  (truncated hue and saturation, the shift added modulo 256), computed in
  float, so negative shifts are exact too (mmcv's ``adjust_hue`` overflows
  there under numpy 2);
- the crop is resized with antialiasing when it shrinks (PIL's bilinear
  filter, through ``torch.nn.functional.interpolate(antialias=True)``);
- the blur is torchvision's separable Gaussian kernel with reflected
  borders.
"""
import warnings
from typing import Tuple

import cv2
import numpy as np
import torch
from PIL import Image

_VALUES = np.arange(256, dtype=np.float32)
# OpenCV's float HSV (degrees, [0, 1], [0, 255]) to PIL's uint8 HSV, back
_TO_UINT8_HSV = np.array([255 / 360, 255, 1], np.float32)
_FROM_UINT8_HSV = np.array([360 / 255, 1 / 255, 1], np.float32)


def trunc_uint8(img: np.ndarray) -> np.ndarray:
    """Clip a float image to [0, 255] and truncate it to ``uint8``.

    Args:
        img (np.ndarray): Float image on the 0-255 scale.

    Returns:
        np.ndarray: ``uint8`` image of the same shape.
    """
    return np.clip(img, 0, 255).astype(np.uint8)


def rgb_to_gray(img: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B`` as PIL rounds it.

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).

    Returns:
        np.ndarray: ``uint8`` luma image, (H, W).
    """
    return np.asarray(Image.fromarray(img, 'RGB').convert('L'))


def blend_table(other: float, factor: float) -> np.ndarray:
    """Look-up table of :func:`blend` with a constant ``other``.

    Args:
        other (float): The constant blended with.
        factor (float): Weight of the image.

    Returns:
        np.ndarray: ``uint8`` table of the 256 input values, (256, ).
    """
    other = np.float32(other)
    return trunc_uint8(other + np.float32(factor) * (_VALUES - other))


def blend(img: np.ndarray, other: np.ndarray, factor: float) -> np.ndarray:
    """``other + factor * (img - other)``, clipped and truncated (PIL).

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        other (np.ndarray): ``uint8`` image broadcastable to ``img``.
        factor (float): Weight of ``img``; 0 gives ``other``, 1 gives
            ``img``, above 1 extrapolates away from ``other``.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    other = other.astype(np.float32)
    out = img.astype(np.float32)
    out -= other
    out *= np.float32(factor)
    out += other
    return trunc_uint8(out)


def adjust_brightness(img: np.ndarray, factor: float) -> np.ndarray:
    """Scale the intensities (blend with black).

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        factor (float): Non-negative factor; 1 keeps the image.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    return cv2.LUT(img, blend_table(0.0, factor))


def adjust_contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the mean of the luma, rounded to an integer (PIL).

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        factor (float): Non-negative factor; 1 keeps the image.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    mean = int(rgb_to_gray(img).mean() + 0.5)
    return cv2.LUT(img, blend_table(mean, factor))


def adjust_saturation(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the luma image.

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        factor (float): Non-negative factor; 0 gives the grayscale image,
            1 keeps the image.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    return blend(img, rgb_to_gray(img)[..., None], factor)


def hue_steps(shift: float) -> int:
    """A hue shift in turns as a step of the ``uint8`` hue (1/255 turn).

    Args:
        shift (float): Hue shift in turns, in [-0.5, 0.5].

    Returns:
        int: ``int(shift * 255)`` (truncated toward 0, as torchvision)
        modulo 256.
    """
    return int(shift * 255) % 256


def adjust_hue(img: np.ndarray, shift: float) -> np.ndarray:
    """Rotate the hue by ``shift`` turns (with wrap-around).

    The image goes to HSV with hue and saturation quantised to ``uint8``
    (truncated, hue in 1/255 turns), the hue is shifted by
    :func:`hue_steps` modulo 256, and the HSV image goes back to RGB with
    rounding: PIL's ``uint8`` HSV round trip, computed in float32.

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        shift (float): Hue shift in turns, in [-0.5, 0.5]; 1/3 turns red
            into green, -1/3 turns red into blue.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    if not -0.5 <= shift <= 0.5:
        raise ValueError(f'hue shift must be in [-0.5, 0.5], got {shift}')
    hsv = cv2.cvtColor(img.astype(np.float32), cv2.COLOR_RGB2HSV)
    # hue in degrees, saturation in [0, 1], value in [0, 255] -> uint8
    hsv8 = (hsv * _TO_UINT8_HSV).astype(np.uint8)  # truncated
    hsv8[..., 0] += np.uint8(hue_steps(shift))  # modulo 256
    hsv = hsv8.astype(np.float32)
    hsv *= _FROM_UINT8_HSV
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    rgb += 0.5  # rounded half up, as C's round() on these positive values
    return rgb.astype(np.uint8)


def resized_crop(img: np.ndarray, box: Tuple[int, int, int, int],
                 size: Tuple[int, int], mode: str = 'bilinear') -> np.ndarray:
    """Crop ``(i, j, h, w)`` and resize it to ``size``, antialiased.

    A shrinking crop is low-pass filtered as PIL's resampling filters do
    (support scaled by the shrink factor); an enlarged one is interpolated
    plainly. Only the crop is copied (to channels-last memory, which
    torch's vectorised ``uint8`` path needs), not the image.

    Args:
        img (np.ndarray): ``uint8`` image, (H, W, 3).
        box (tuple[int, int, int, int]): ``(i, j, h, w)``: top, left,
            height and width of the crop.
        size (tuple[int, int]): Output ``(height, width)``.
        mode (str): 'bilinear' or 'bicubic'. Defaults to 'bilinear'.

    Returns:
        np.ndarray: ``uint8`` image, (height, width, 3).
    """
    i, j, h, w = box
    with warnings.catch_warnings():  # read-only decoded images: only read
        warnings.simplefilter('ignore', UserWarning)
        crop = torch.from_numpy(img[i:i + h, j:j + w])  # (h, w, 3)
    if (h, w) == tuple(size):
        return np.ascontiguousarray(crop.numpy())
    # (1, 3, h, w) in channels-last memory: torch's fast uint8 path
    crop = crop.permute(2, 0, 1)[None].contiguous(
        memory_format=torch.channels_last)
    out = torch.nn.functional.interpolate(
        crop,
        size=tuple(size),
        mode=mode,
        align_corners=False,
        antialias=True)
    return np.ascontiguousarray(out[0].permute(1, 2, 0).numpy())


def gaussian_kernel(kernel_size: int, sigma: float) -> np.ndarray:
    """torchvision's 1-D Gaussian kernel, normalised to sum 1.

    Args:
        kernel_size (int): Odd number of taps.
        sigma (float): Standard deviation, pixels.

    Returns:
        np.ndarray: float32 taps, (kernel_size, ).
    """
    x = np.arange(kernel_size, dtype=np.float64) - (kernel_size - 1) / 2
    pdf = np.exp(-0.5 * (x / sigma)**2)
    return (pdf / pdf.sum()).astype(np.float32)


def gaussian_blur(img: np.ndarray, kernel_size: int,
                  sigma: float) -> np.ndarray:
    """Separable Gaussian blur with reflected borders (no edge repeat).

    Args:
        img (np.ndarray): ``uint8`` image, (H, W, 3).
        kernel_size (int): Odd kernel size.
        sigma (float): Standard deviation, pixels.

    Returns:
        np.ndarray: ``uint8`` image (rounded), (H, W, 3).
    """
    taps = gaussian_kernel(kernel_size, sigma)
    return cv2.sepFilter2D(
        img, -1, taps, taps, borderType=cv2.BORDER_REFLECT_101)
