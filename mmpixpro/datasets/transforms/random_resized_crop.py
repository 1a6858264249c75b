# Copyright (c) mmpixpro contributors. All rights reserved.
import math
from typing import Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from mmpixpro.registry import TRANSFORMS
from .functional import resized_crop

# interpolations resized with antialiasing (as PIL) by resized_crop
ANTIALIASED = ('bilinear', 'bicubic')


def get_params(height: int,
               width: int,
               scale: Sequence[float] = (0.08, 1.0),
               ratio: Sequence[float] = (3. / 4., 4. / 3.),
               max_attempts: int = 10) -> Tuple[int, int, int, int]:
    """Sample a random crop with torchvision's ``RandomResizedCrop`` rule.

    Up to ``max_attempts`` tries of an area ``U(scale) * H * W`` and a
    log-uniform aspect ratio w/h in ``ratio``; the first crop that fits is
    placed uniformly. If none fits, the centre crop of the whole image,
    clamped to the ratio range, is returned. Draws use ``np.random``.

    Args:
        height (int): Image height H.
        width (int): Image width W.
        scale (Sequence[float]): Range of the crop area as a fraction of the
            image area. Defaults to (0.08, 1.0).
        ratio (Sequence[float]): Range of the aspect ratio w/h.
            Defaults to (3/4, 4/3).
        max_attempts (int): Number of tries before the fallback.
            Defaults to 10.

    Returns:
        tuple[int, int, int, int]: ``(i, j, h, w)``: top, left, height and
        width of the crop.
    """
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(max_attempts):
        target_area = area * np.random.uniform(scale[0], scale[1])
        aspect = math.exp(np.random.uniform(log_ratio[0], log_ratio[1]))
        w = int(round(math.sqrt(target_area * aspect)))
        h = int(round(math.sqrt(target_area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            i = int(np.random.randint(0, height - h + 1))
            j = int(np.random.randint(0, width - w + 1))
            return i, j, h, w
    return center_crop_params(height, width, ratio)


def center_crop_params(height: int, width: int,
                       ratio: Sequence[float]) -> Tuple[int, int, int, int]:
    """Largest centred crop whose aspect ratio is clamped to ``ratio``.

    Args:
        height (int): Image height H.
        width (int): Image width W.
        ratio (Sequence[float]): Range of the aspect ratio w/h.

    Returns:
        tuple[int, int, int, int]: ``(i, j, h, w)`` of the crop.
    """
    in_ratio = width / height
    if in_ratio < min(ratio):
        w, h = width, int(round(width / min(ratio)))
    elif in_ratio > max(ratio):
        w, h = int(round(height * max(ratio))), height
    else:
        w, h = width, height
    return (height - h) // 2, (width - w) // 2, h, w


def crop_to_box(i: int, j: int, h: int, w: int, height: int,
                width: int) -> np.ndarray:
    """Crop box in normalised coordinates of the original image.

    ``(x_ul, y_ul, x_lr, y_lr) = (j/(W-1), i/(H-1), (j+w-1)/(W-1),
    (i+h-1)/(H-1))``: x and y are normalised separately and the end pixel
    is inclusive; the whole image is (0, 0, 1, 1). A side of 1 pixel uses the
    denominator 1.

    Args:
        i (int): Top of the crop.
        j (int): Left of the crop.
        h (int): Height of the crop.
        w (int): Width of the crop.
        height (int): Image height H.
        width (int): Image width W.

    Returns:
        np.ndarray: float32 box, (4,).
    """
    dx = max(width - 1, 1)
    dy = max(height - 1, 1)
    return np.array([j / dx, i / dy, (j + w - 1) / dx, (i + h - 1) / dy],
                    dtype=np.float32)


@TRANSFORMS.register_module()
class RandomResizedCropWithBox(BaseTransform):
    """Random resized crop that records the crop box in the original image.

    The crop is sampled by :func:`get_params` (torchvision's algorithm) and
    resized as torchvision resizes a PIL image: 'bilinear' and 'bicubic'
    are antialiased when the crop shrinks (:func:`.functional.resized_crop`,
    which copies the crop only); the other modes use OpenCV
    without antialiasing. The box follows :func:`crop_to_box`. Inside
    mmcv's ``cache_random_params`` context, ``sample_crop(H, W)`` returns
    the crop of the last call.

    Required keys: ``img`` ((H, W, 3) ``uint8``). Modified keys: ``img``,
    ``img_shape``. Added keys: ``crop_box`` (float32, (4,)).

    Args:
        size (int | tuple[int, int]): Output size; an int gives a square,
            a tuple is (height, width). Defaults to 224.
        scale (tuple[float, float]): Range of the crop area fraction.
            Defaults to (0.08, 1.0).
        ratio (tuple[float, float]): Range of the aspect ratio w/h.
            Defaults to (3/4, 4/3).
        interpolation (str): 'bilinear' or 'bicubic' (antialiased, as
            PIL), or OpenCV's 'nearest', 'area' or 'lanczos'.
            Defaults to 'bilinear'.
        max_attempts (int): Tries before the centre-crop fallback.
            Defaults to 10.
    """

    def __init__(self,
                 size: Union[int, Tuple[int, int]] = 224,
                 scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 interpolation: str = 'bilinear',
                 max_attempts: int = 10) -> None:
        if not 0 < scale[0] <= scale[1]:
            raise ValueError(f'need 0 < scale[0] <= scale[1], got {scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'need 0 < ratio[0] <= ratio[1], got {ratio}')
        if interpolation not in mmcv.image.geometric.cv2_interp_codes:
            raise ValueError(f'unknown interpolation {interpolation!r}')
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation
        self.max_attempts = max_attempts

    @cache_randomness
    def sample_crop(self, height: int,
                    width: int) -> Tuple[int, int, int, int]:
        """Draw the crop with :func:`get_params`.

        Args:
            height (int): Image height H.
            width (int): Image width W.

        Returns:
            tuple[int, int, int, int]: ``(i, j, h, w)`` of the crop.
        """
        return get_params(height, width, self.scale, self.ratio,
                          self.max_attempts)

    def transform(self, results: dict) -> dict:
        """Crop and resize ``results['img']``, record ``crop_box``.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict: The result dict with the resized crop and its box.
        """
        img = results['img']
        height, width = img.shape[:2]
        i, j, h, w = self.sample_crop(height, width)
        out_h, out_w = self.size
        if self.interpolation in ANTIALIASED:
            crop = resized_crop(img, (i, j, h, w), self.size,
                                self.interpolation)
        else:
            crop = img[i:i + h, j:j + w]
            if (h, w) != (out_h, out_w):
                crop = mmcv.imresize(
                    crop, (out_w, out_h),
                    interpolation=self.interpolation,
                    backend='cv2')
        results['img'] = np.ascontiguousarray(crop)
        results['img_shape'] = (out_h, out_w)
        results['crop_box'] = crop_to_box(i, j, h, w, height, width)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'scale={self.scale}, ratio={self.ratio}, '
                f"interpolation='{self.interpolation}', "
                f'max_attempts={self.max_attempts})')
