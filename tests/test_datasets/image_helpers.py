# Copyright (c) mmpixpro contributors. All rights reserved.
"""Image helpers of the data tests (a uniquely named module)."""
import os

import numpy as np
from PIL import Image


def random_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Random RGB ``uint8`` image of shape (height, width, 3).

    Args:
        height (int): Image height.
        width (int): Image width.
        seed (int): Seed of the pixel values. Defaults to 0.

    Returns:
        np.ndarray: The image.
    """
    return np.random.default_rng(seed).integers(
        0, 256, size=(height, width, 3), dtype=np.uint8)


def write_image(path,
                height: int = 48,
                width: int = 64,
                seed: int = 0) -> np.ndarray:
    """Write a random RGB image; the format follows the extension.

    Args:
        path (str | os.PathLike): Destination; PNG unless it ends with
            .jpg/.jpeg (PNG keeps pixels exact).
        height (int): Image height. Defaults to 48.
        width (int): Image width. Defaults to 64.
        seed (int): Seed of the pixel values. Defaults to 0.

    Returns:
        np.ndarray: The image written.
    """
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    img = random_image(height, width, seed)
    is_jpeg = str(path).lower().endswith(('.jpg', '.jpeg'))
    Image.fromarray(img).save(str(path), format='JPEG' if is_jpeg else 'PNG')
    return img
