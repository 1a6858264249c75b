# Copyright (c) mmpixpro contributors. All rights reserved.
"""Colour primitives on RGB ``uint8`` images of shape (H, W, 3).

Each function maps a ``uint8`` image to a new ``uint8`` image (computed in
float32, rounded, clipped) and follows torchvision's definitions of the
colour-jitter operations. The hue shift goes through a float HSV image, so
it is exact for negative shifts too (mmcv's ``adjust_hue`` overflows there
under numpy 2).
"""
from typing import Union

import cv2
import numpy as np

# ITU-R 601-2 luma weights, in RGB order.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Round and clip a float image to ``uint8``.

    Args:
        img (np.ndarray): Float image with values on the 0-255 scale.

    Returns:
        np.ndarray: ``uint8`` image of the same shape.
    """
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def rgb_to_gray(img: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B``.

    Args:
        img (np.ndarray): RGB image, (H, W, 3).

    Returns:
        np.ndarray: ``uint8`` luma image, (H, W).
    """
    return to_uint8(img.astype(np.float32) @ LUMA_WEIGHTS)


def blend(img: np.ndarray, other: Union[np.ndarray, float],
          factor: float) -> np.ndarray:
    """``factor * img + (1 - factor) * other``, rounded to ``uint8``.

    Args:
        img (np.ndarray): RGB image, (H, W, 3).
        other (np.ndarray | float): Image broadcastable to ``img`` or a
            scalar.
        factor (float): Weight of ``img``; 0 gives ``other``, 1 gives
            ``img``, above 1 extrapolates away from ``other``.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    out = factor * img.astype(np.float32) + (1.0 - factor) * np.asarray(
        other, dtype=np.float32)
    return to_uint8(out)


def adjust_brightness(img: np.ndarray, factor: float) -> np.ndarray:
    """Scale the intensities (blend with black).

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        factor (float): Non-negative factor; 1 keeps the image.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    return blend(img, 0.0, factor)


def adjust_contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the mean of the grayscale image.

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        factor (float): Non-negative factor; 1 keeps the image.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    mean = float(rgb_to_gray(img).mean())
    return blend(img, mean, factor)


def adjust_saturation(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the grayscale image.

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        factor (float): Non-negative factor; 0 gives the grayscale image,
            1 keeps the image.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    return blend(img, rgb_to_gray(img)[..., None], factor)


def adjust_hue(img: np.ndarray, shift: float) -> np.ndarray:
    """Rotate the hue by ``shift`` turns (with wrap-around).

    Args:
        img (np.ndarray): RGB ``uint8`` image, (H, W, 3).
        shift (float): Hue shift in turns, in [-0.5, 0.5]; 1/3 turns red
            into green, -1/3 turns red into blue.

    Returns:
        np.ndarray: ``uint8`` image, (H, W, 3).
    """
    if not -0.5 <= shift <= 0.5:
        raise ValueError(f'hue shift must be in [-0.5, 0.5], got {shift}')
    hsv = cv2.cvtColor(img.astype(np.float32) / 255.0, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = np.mod(hsv[..., 0] + 360.0 * shift, 360.0)  # degrees
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    return to_uint8(rgb * 255.0)
