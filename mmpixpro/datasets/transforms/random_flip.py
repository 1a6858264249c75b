# Copyright (c) mmpixpro contributors. All rights reserved.
import cv2
import numpy as np

from mmpixpro.registry import TRANSFORMS
from .random_apply import RandomApply


def flip_box(box: np.ndarray) -> np.ndarray:
    """Encode a horizontal flip in a crop box by swapping x_ul and x_lr.

    Args:
        box (np.ndarray): ``(x_ul, y_ul, x_lr, y_lr)``, (4,).

    Returns:
        np.ndarray: ``(x_lr, y_ul, x_ul, y_lr)``, a new array (its width
        ``x_lr - x_ul`` changes sign).
    """
    return box[[2, 1, 0, 3]]


@TRANSFORMS.register_module()
class RandomHorizontalFlipWithBox(RandomApply):
    """Flip horizontally with probability ``prob``, keeping the crop box.

    Put it after :class:`RandomResizedCropWithBox`: the flip is recorded by
    swapping ``x_ul`` and ``x_lr`` of ``crop_box`` (its width changes sign).
    Without a ``crop_box`` only the image is flipped.

    Required keys: ``img``. Optional keys: ``crop_box``. Modified keys:
    ``img``, ``crop_box``. Added keys: ``flip``, ``flip_direction``.

    Args:
        prob (float): Probability to flip. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        super().__init__(prob)

    def transform(self, results: dict) -> dict:
        """Flip ``results['img']`` (and its box) with probability ``prob``.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict: The result dict, flipped or unchanged, with ``flip``.
        """
        results['flip'] = False
        results['flip_direction'] = None
        return super().transform(results)

    def apply(self, results: dict, params: bool) -> dict:
        """Flip the image and swap the box's x ends.

        Args:
            results (dict): Result dict with ``img``.
            params (bool): True (a flip has no parameters).

        Returns:
            dict: The flipped result dict.
        """
        results['flip'] = True
        results['flip_direction'] = 'horizontal'
        results['img'] = cv2.flip(np.ascontiguousarray(results['img']), 1)
        if 'crop_box' in results:
            results['crop_box'] = flip_box(results['crop_box'])
        return results
