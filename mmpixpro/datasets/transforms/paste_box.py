# Copyright (c) mmpixpro contributors. All rights reserved.
"""The paste rectangles of CP2 (`Wang et al., 2022
<https://arxiv.org/abs/2203.11709>`_).

CP2 copies a foreground view onto a background image of another sample
through an exact rectangular mask shaped as torchvision's
``RandomErasing(scale=(0.5, 0.8), ratio=(0.8, 1.25))`` draws it: inside the
rectangle the pixels are the foreground's, outside the background's.

This transform draws the rectangles only (one per foreground view, in the
pixels of that view) and stores them as ``paste_boxes``; the composition
itself happens on the batch in :class:`mmpixpro.models.CP2`, because the
background comes from another image of the batch, which a per-sample
transform cannot see (the authors take it from two extra, independently
shuffled loaders).
"""
import math
from typing import Sequence, Tuple

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmpixpro.registry import TRANSFORMS


def sample_paste_box(height: int,
                     width: int,
                     scale: Tuple[float, float] = (0.5, 0.8),
                     ratio: Tuple[float, float] = (0.8, 1.25),
                     rng: np.random.RandomState = np.random,
                     attempts: int = 10) -> Tuple[int, int, int, int]:
    """One rectangle ``(x0, y0, x1, y1)`` (pixels, end exclusive).

    As ``RandomErasing``: area ``s * H * W`` with ``s ~ U(scale)``, aspect
    ``h / w = exp(U(log ratio))``, ``h = round(sqrt(area * aspect))``,
    ``w = round(sqrt(area / aspect))``, redrawn until ``h < H`` and
    ``w < W``; top-left uniform over the valid positions. After
    ``attempts`` failures (not reachable for square views and the paper's
    ranges) a centred square of area ``scale[0] * H * W``.

    Args:
        height (int): H of the view.
        width (int): W of the view.
        scale (tuple[float, float]): Range of the area fraction.
        ratio (tuple[float, float]): Range of the aspect ratio h / w.
        rng: A numpy random state. Defaults to the global one.
        attempts (int): Draws before the fallback. Defaults to 10.

    Returns:
        tuple[int, int, int, int]: ``(x0, y0, x1, y1)``.
    """
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(attempts):
        erase_area = area * rng.uniform(scale[0], scale[1])
        aspect = math.exp(rng.uniform(log_ratio[0], log_ratio[1]))
        h = int(round(math.sqrt(erase_area * aspect)))
        w = int(round(math.sqrt(erase_area / aspect)))
        if 0 < h < height and 0 < w < width:
            y0 = int(rng.randint(0, height - h + 1))
            x0 = int(rng.randint(0, width - w + 1))
            return x0, y0, x0 + w, y0 + h
    side = int(round(math.sqrt(scale[0] * area)))
    h, w = min(side, height), min(side, width)
    y0, x0 = (height - h) // 2, (width - w) // 2
    return x0, y0, x0 + w, y0 + h


@TRANSFORMS.register_module()
class RandomPasteBox(BaseTransform):
    """Draw CP2's paste rectangle for each foreground view.

    Runs after :class:`MultiViewTransform` (``img`` is the list of views).

    Added keys: ``paste_boxes`` (``torch.int64``, (P, 4), one
    ``(x0, y0, x1, y1)`` per foreground view, pixels, end exclusive).

    Args:
        views (Sequence[int]): Indices of the foreground views. Defaults to
            ``(0, 1)`` (query and key).
        scale (tuple[float, float]): Area fraction range. Defaults to
            ``(0.5, 0.8)`` (the paper's).
        ratio (tuple[float, float]): Aspect ratio range. Defaults to
            ``(0.8, 1.25)`` (the authors').
    """

    def __init__(self,
                 views: Sequence[int] = (0, 1),
                 scale: Tuple[float, float] = (0.5, 0.8),
                 ratio: Tuple[float, float] = (0.8, 1.25)) -> None:
        if not 0 < scale[0] <= scale[1] < 1:
            raise ValueError(f'scale must satisfy 0 < lo <= hi < 1, got '
                             f'{scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must satisfy 0 < lo <= hi, got {ratio}')
        self.views = tuple(views)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)

    def transform(self, results: dict) -> dict:
        """Add ``paste_boxes``.

        Args:
            results (dict): With ``img``, a list of views (H, W, 3).

        Returns:
            dict: ``results`` with ``paste_boxes``.
        """
        imgs = results['img']
        if not isinstance(imgs, (list, tuple)):
            raise TypeError('RandomPasteBox runs after MultiViewTransform '
                            '(img must be a list of views).')
        boxes = [sample_paste_box(*imgs[v].shape[:2], self.scale,
                                  self.ratio) for v in self.views]
        results['paste_boxes'] = torch.tensor(boxes, dtype=torch.int64)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(views={self.views}, '
                f'scale={self.scale}, ratio={self.ratio})')
