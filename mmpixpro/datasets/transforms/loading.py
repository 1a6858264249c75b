# Copyright (c) mmpixpro contributors. All rights reserved.
import io
from typing import Optional

import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image, ImageOps

from mmpixpro.registry import TRANSFORMS

# PIL modes holding integer samples wider than 8 bits (16-bit scans, PNGs)
WIDE_INT_MODES = ('I', 'I;16', 'I;16B', 'I;16L', 'I;16N')


class ImageDecodeError(OSError):
    """An image file could not be read or decoded."""


def pil_to_rgb_array(img: Image.Image) -> np.ndarray:
    """Convert a PIL image of any common mode to RGB ``uint8``.

    Grayscale, palette, RGBA (alpha dropped) and CMYK go through PIL's
    ``convert('RGB')``; 16-bit integer images are scaled from the 0-65535
    range (``v / 257``) and float images clipped to 0-255 first, since PIL
    would otherwise saturate them.

    Args:
        img (PIL.Image.Image): Decoded image.

    Returns:
        np.ndarray: RGB ``uint8`` array, (H, W, 3).
    """
    if img.mode in WIDE_INT_MODES or img.mode == 'F':
        arr = np.asarray(img, dtype=np.float32)
        if img.mode != 'F':
            arr = arr / 257.0
        gray = np.clip(np.rint(arr), 0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if img.mode != 'RGB':
        img = img.convert('RGB')
    return np.asarray(img, dtype=np.uint8)


def decode_rgb(content: bytes) -> np.ndarray:
    """Decode image bytes with PIL, apply EXIF orientation, convert to RGB.

    Args:
        content (bytes): Encoded image file.

    Returns:
        np.ndarray: RGB ``uint8`` array, (H, W, 3).
    """
    with Image.open(io.BytesIO(content)) as img:
        img = ImageOps.exif_transpose(img)
        return pil_to_rgb_array(img)


@TRANSFORMS.register_module()
class LoadRGBImageFromFile(BaseTransform):
    """Load an image as RGB ``uint8`` with PIL.

    EXIF orientation is applied; grayscale, palette, RGBA, CMYK and 16-bit
    images become 3-channel RGB ``uint8``. A file that cannot be read or
    decoded raises :class:`ImageDecodeError` naming the file.

    Required keys: ``img_path``. Added keys: ``img`` ((H, W, 3) ``uint8``,
    RGB), ``img_shape``, ``ori_shape`` (both ``(H, W)``).

    Args:
        backend_args (dict, optional): Arguments of the mmengine file
            backend (e.g. for object storage). Defaults to None (local).
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Read and decode ``results['img_path']``.

        Args:
            results (dict): Result dict with ``img_path``.

        Returns:
            dict: The result dict with ``img``, ``img_shape``, ``ori_shape``.
        """
        path = results['img_path']
        try:
            content = fileio.get(path, backend_args=self.backend_args)
            img = decode_rgb(content)
        except Exception as err:
            raise ImageDecodeError(
                f'Cannot read or decode image file {path!r}: {err}') from err
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}'
                f'(backend_args={self.backend_args})')
