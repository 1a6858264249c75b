# Copyright (c) mmpixpro contributors. All rights reserved.
import math
from typing import Callable, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from mmpixpro.registry import TRANSFORMS
from .functional import resized_crop

# interpolations resized with antialiasing (as PIL) by resized_crop
ANTIALIASED = ('bilinear', 'bicubic')
# results key: the crops (i, j, h, w) of the views made so far, set by
# MultiViewTransform for the crops constrained by an earlier view
VIEW_CROPS_KEY = 'view_crops'
# a crop (i, j, h, w): top, left, height and width in pixels
Crop = Tuple[int, int, int, int]


def sample_crop_params(
        height: int,
        width: int,
        scale: Sequence[float] = (0.08, 1.0),
        ratio: Sequence[float] = (3. / 4., 4. / 3.),
        max_attempts: int = 10,
        accept: Optional[Callable[[Crop], bool]] = None) -> Tuple[Crop, bool]:
    """Sample a random crop with torchvision's ``RandomResizedCrop`` rule.

    Up to ``max_attempts`` tries of an area ``U(scale) * H * W`` and a
    log-uniform aspect ratio w/h in ``ratio``; the first crop that fits is
    placed uniformly and, when ``accept`` is given, kept only if
    ``accept(crop)`` holds (a rejected placement uses up its attempt). If
    no attempt succeeds, the centre crop of the whole image, clamped to the
    ratio range (:func:`center_crop_params`), is returned, whether
    ``accept`` holds for it or not. Draws use ``np.random``; without
    ``accept`` they are those of :func:`get_params`.

    Args:
        height (int): Image height H.
        width (int): Image width W.
        scale (Sequence[float]): Range of the crop area as a fraction of the
            image area. Defaults to (0.08, 1.0).
        ratio (Sequence[float]): Range of the aspect ratio w/h.
            Defaults to (3/4, 4/3).
        max_attempts (int): Number of tries before the fallback.
            Defaults to 10.
        accept (Callable[[tuple], bool], optional): A condition on the
            placed crop ``(i, j, h, w)``, e.g. :func:`share_inside` of
            another view's crop above a minimum. Defaults to None (any).

    Returns:
        tuple[tuple[int, int, int, int], bool]: ``(i, j, h, w)`` (top,
        left, height and width of the crop) and whether it is the
        centre-crop fallback.
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
            if accept is None or accept((i, j, h, w)):
                return (i, j, h, w), False
    return center_crop_params(height, width, ratio), True


def get_params(height: int,
               width: int,
               scale: Sequence[float] = (0.08, 1.0),
               ratio: Sequence[float] = (3. / 4., 4. / 3.),
               max_attempts: int = 10) -> Crop:
    """Sample a random crop with torchvision's ``RandomResizedCrop`` rule.

    :func:`sample_crop_params` without a condition, the crop only.

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
    return sample_crop_params(height, width, scale, ratio, max_attempts)[0]


def share_inside(crop: Crop, region: Crop) -> float:
    """Share of the area of ``crop`` that lies inside ``region``.

    Both are pixel rectangles ``(i, j, h, w)`` of the same image (rows
    ``i .. i+h-1``, columns ``j .. j+w-1``); a flip does not change them.

    Args:
        crop (tuple[int, int, int, int]): The crop.
        region (tuple[int, int, int, int]): The region, e.g. another
            view's crop.

    Returns:
        float: ``|crop & region| / |crop|``, in [0, 1].
    """
    i, j, h, w = crop
    ri, rj, rh, rw = region
    rows = max(0, min(i + h, ri + rh) - max(i, ri))
    cols = max(0, min(j + w, rj + rw) - max(j, rj))
    return rows * cols / (h * w)


def center_crop_params(height: int, width: int,
                       ratio: Sequence[float]) -> Crop:
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

    The crop is sampled by :func:`sample_crop_params` (torchvision's
    algorithm) and resized as torchvision resizes a PIL image: 'bilinear'
    and 'bicubic' are antialiased when the crop shrinks
    (:func:`.functional.resized_crop`, which copies the crop only); the
    other modes use OpenCV without antialiasing. The box follows
    :func:`crop_to_box`. Inside mmcv's ``cache_random_params`` context,
    ``sample_crop(H, W)`` returns the crop (and fallback flag) of the last
    call.

    A crop constrained by another view (multi-crop, e.g. "Revisiting
    Contrastive SSL": at least 10 % of each small crop inside the key
    crop): with ``ref_view=k`` an attempt is kept only if at least
    ``min_share`` of its area lies inside the crop of view ``k``
    (:func:`share_inside`), read from ``results['view_crops'][k]``, which
    :class:`MultiViewTransform` fills with the crops of the views made
    before this one. When every attempt fails, the crop falls back to the
    centre crop as torchvision's ``RandomResizedCrop`` does (whatever its
    share), and ``crop_fallback`` says so; an unconstrained crop whose
    attempts all fail is flagged the same way.

    Required keys: ``img`` ((H, W, 3) ``uint8``); ``view_crops`` with
    ``ref_view``. Modified keys: ``img``, ``img_shape``. Added keys:
    ``crop_box`` (float32, (4,)), ``crop_region`` (the crop ``(i, j, h,
    w)`` in pixels of the original image) and ``crop_fallback`` (bool).

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
        ref_view (int, optional): Index of the earlier view whose crop
            constrains this one. Defaults to None (no constraint).
        min_share (float): With ``ref_view``, the least share of the crop's
            area inside the reference crop, in (0, 1]. Defaults to 0.1.
    """

    def __init__(self,
                 size: Union[int, Tuple[int, int]] = 224,
                 scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 interpolation: str = 'bilinear',
                 max_attempts: int = 10,
                 ref_view: Optional[int] = None,
                 min_share: float = 0.1) -> None:
        if not 0 < scale[0] <= scale[1]:
            raise ValueError(f'need 0 < scale[0] <= scale[1], got {scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'need 0 < ratio[0] <= ratio[1], got {ratio}')
        if interpolation not in mmcv.image.geometric.cv2_interp_codes:
            raise ValueError(f'unknown interpolation {interpolation!r}')
        if ref_view is not None and ref_view < 0:
            raise ValueError(f'ref_view must be >= 0, got {ref_view}')
        if not 0 < min_share <= 1:
            raise ValueError(f'min_share must be in (0, 1], got {min_share}')
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation
        self.max_attempts = max_attempts
        self.ref_view = ref_view
        self.min_share = min_share

    @cache_randomness
    def sample_crop(self,
                    height: int,
                    width: int,
                    ref_crop: Optional[Crop] = None) -> Tuple[Crop, bool]:
        """Draw the crop with :func:`sample_crop_params`.

        Args:
            height (int): Image height H.
            width (int): Image width W.
            ref_crop (tuple[int, int, int, int], optional): The crop of
                ``ref_view``; at least ``min_share`` of the drawn crop must
                lie inside it. Defaults to None (no constraint).

        Returns:
            tuple[tuple[int, int, int, int], bool]: ``(i, j, h, w)`` of the
            crop and whether it is the centre-crop fallback.
        """

        def accept(crop: Crop) -> bool:
            return share_inside(crop, ref_crop) >= self.min_share

        return sample_crop_params(height, width, self.scale, self.ratio,
                                  self.max_attempts,
                                  None if ref_crop is None else accept)

    def reference_crop(self, results: dict) -> Optional[Crop]:
        """The crop of ``ref_view`` from ``results['view_crops']``.

        Args:
            results (dict): Result dict.

        Returns:
            tuple[int, int, int, int] | None: The reference crop, or None
            without ``ref_view``.
        """
        if self.ref_view is None:
            return None
        crops = results.get(VIEW_CROPS_KEY, ())
        if self.ref_view >= len(crops):
            raise KeyError(
                f'ref_view={self.ref_view}, but only {len(crops)} earlier '
                f'view crop(s) are known (`{VIEW_CROPS_KEY}`); a '
                'constrained crop refers to an earlier view of '
                'MultiViewTransform')
        return tuple(crops[self.ref_view])

    def transform(self, results: dict) -> dict:
        """Crop and resize ``results['img']``, record ``crop_box``.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict: The result dict with the resized crop, its box, its
            region and whether it fell back.
        """
        img = results['img']
        height, width = img.shape[:2]
        (i, j, h, w), fell_back = self.sample_crop(
            height, width, self.reference_crop(results))
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
        results['crop_region'] = (i, j, h, w)
        results['crop_fallback'] = fell_back
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'scale={self.scale}, ratio={self.ratio}, '
                f"interpolation='{self.interpolation}', "
                f'max_attempts={self.max_attempts}, '
                f'ref_view={self.ref_view}, min_share={self.min_share})')
