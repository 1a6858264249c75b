# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
from mmcv.image import solarize
from mmcv.transforms import BaseTransform

from mmpixpro.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomSolarize(BaseTransform):
    """Solarize with probability ``prob``: ``v >= threshold`` -> ``255 - v``.

    Required keys: ``img`` (``uint8``). Modified keys: ``img``.

    Args:
        threshold (int): Pixels at or above it are inverted.
            Defaults to 128.
        prob (float): Probability to solarize. Defaults to 0.2.
    """

    def __init__(self, threshold: int = 128, prob: float = 0.2) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.threshold = threshold
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Solarize ``results['img']`` with probability ``prob``.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict: The result dict, ``img`` solarized or unchanged.
        """
        if np.random.rand() < self.prob:
            img = results['img']
            # mmcv keeps ``v < thr`` and inverts the rest
            results['img'] = solarize(
                img, thr=self.threshold).astype(img.dtype)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(threshold={self.threshold}, '
                f'prob={self.prob})')
