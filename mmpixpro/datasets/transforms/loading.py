# Copyright (c) mmpixpro contributors. All rights reserved.
import io
import math
from typing import Optional, Tuple

import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image, ImageOps

from mmpixpro.registry import TRANSFORMS
from ..zip_archive import ZipReadError

# PIL modes holding integer samples wider than 8 bits (16-bit scans, PNGs)
WIDE_INT_MODES = ('I', 'I;16', 'I;16B', 'I;16L', 'I;16N')


class ImageDecodeError(OSError):
    """An image file could not be read or decoded.

    Args:
        message (str): The full message, naming the file.
        note (str, optional): The reason in a few words, the same for every
            read of the same file (the broken-image count lists it beside
            the path). Defaults to None (no reason listed).
    """

    def __init__(self, message: str, note: Optional[str] = None) -> None:
        super().__init__(message)
        self.note = note


class ImageTooSmallError(ImageDecodeError):
    """An image is smaller than the crop grid it would be cut into.

    Args:
        path (str): The file.
        size (tuple[int, int]): Its ``(W, H)``.
        min_size (int): The smallest side accepted.
    """

    def __init__(self, path: str, size: Tuple[int, int],
                 min_size: int) -> None:
        note = f'{size[0]}x{size[1]} px, below min_size={min_size}'
        super().__init__(f'Image file {path!r} is {note} (the crop grid)',
                         note)


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


def draft_size(size: Tuple[int, int],
               min_short_side: int) -> Optional[Tuple[int, int]]:
    """Smallest ``(w, h)`` of the same shape whose short side is at least
    ``min_short_side``, or None when ``size`` is not larger than that.

    Args:
        size (tuple[int, int]): Stored ``(W, H)``.
        min_short_side (int): Wanted short side, pixels.

    Returns:
        tuple[int, int] | None: Request for :meth:`PIL.Image.Image.draft`.
    """
    short = min(size)
    if short <= min_short_side:
        return None
    scale = min_short_side / short
    return (math.ceil(size[0] * scale), math.ceil(size[1] * scale))


def decode_rgb(content: bytes,
               min_short_side: Optional[int] = None) -> np.ndarray:
    """Decode image bytes with PIL, apply EXIF orientation, convert to RGB.

    With ``min_short_side``, a JPEG is decoded at a reduced scale (1/2,
    1/4 or 1/8, PIL's draft mode: the DCT is scaled, so most of the decoding
    work is skipped) whose short side is still at least ``min_short_side``.
    Other formats are decoded in full.

    Args:
        content (bytes): Encoded image file.
        min_short_side (int, optional): Smallest short side a JPEG may be
            decoded at. Defaults to None (full size).

    Returns:
        np.ndarray: RGB ``uint8`` array, (H, W, 3).
    """
    with Image.open(io.BytesIO(content)) as img:
        if min_short_side and img.format == 'JPEG':
            request = draft_size(img.size, min_short_side)
            if request is not None:
                img.draft(img.mode, request)
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

    Fast decoding: with ``min_short_side``, large JPEGs are decoded at 1/2,
    1/4 or 1/8 scale as long as the short side stays >= ``min_short_side``
    (see :func:`decode_rgb`). Crop boxes are normalised to the decoded
    image, so they describe the same region of the photograph. Choose it so
    the smallest crop still needs no upsampling: a crop of area fraction
    ``s_min`` and output side ``S`` needs a short side of about
    ``S / sqrt(s_min * 3 / 4)`` (224 / sqrt(0.06) = 915 for the paper).

    Tiny images: a side shorter than ``min_size`` raises
    :class:`ImageTooSmallError` (an :class:`ImageDecodeError`, so the
    dataset replaces the sample and counts it as broken). With the default 7,
    every pixel row and column of the image holds at least one cell of the
    7x7 feature grid of a 224-px view: smaller images have no distinct
    pixel positions to match.

    Args:
        backend_args (dict, optional): Arguments of the mmengine file
            backend (e.g. for object storage). Defaults to None (local).
        min_short_side (int, optional): Draft-decode JPEGs down to this
            short side. Defaults to None (always full size).
        min_size (int): Smallest width and height accepted. Defaults to 7.
    """

    def __init__(self,
                 backend_args: Optional[dict] = None,
                 min_short_side: Optional[int] = None,
                 min_size: int = 7) -> None:
        if min_short_side is not None and min_short_side < 1:
            raise ValueError(
                f'min_short_side must be >= 1, got {min_short_side}')
        if min_size < 1:
            raise ValueError(f'min_size must be >= 1, got {min_size}')
        self.backend_args = backend_args
        self.min_short_side = min_short_side
        self.min_size = min_size

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
            img = decode_rgb(content, self.min_short_side)
        except Exception as err:
            # a zip member's reason (bad CRC, missing, too large) is kept;
            # decoder messages are not: they may name memory addresses
            note = err.note if isinstance(err, ZipReadError) else None
            raise ImageDecodeError(
                f'Cannot read or decode image file {path!r}: {err}',
                note) from err
        if min(img.shape[:2]) < self.min_size:
            raise ImageTooSmallError(path, (img.shape[1], img.shape[0]),
                                     self.min_size)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}'
                f'(backend_args={self.backend_args}, '
                f'min_short_side={self.min_short_side}, '
                f'min_size={self.min_size})')
