# Copyright (c) mmpixpro contributors. All rights reserved.
from mmcv.image import solarize

from mmpixpro.registry import TRANSFORMS
from .random_apply import RandomApply


@TRANSFORMS.register_module()
class RandomSolarize(RandomApply):
    """Solarize with probability ``prob``: ``v >= threshold`` -> ``255 - v``.

    Required keys: ``img`` (``uint8``). Modified keys: ``img``.

    Args:
        threshold (int): Pixels at or above it are inverted.
            Defaults to 128.
        prob (float): Probability to solarize. Defaults to 0.2.
    """

    repr_keys = ('threshold', 'prob')

    def __init__(self, threshold: int = 128, prob: float = 0.2) -> None:
        super().__init__(prob)
        self.threshold = threshold

    def apply(self, results: dict, params: bool) -> dict:
        """Solarize ``results['img']``.

        Args:
            results (dict): Result dict with ``img``.
            params (bool): True (no parameters).

        Returns:
            dict: The result dict, ``img`` solarized.
        """
        img = results['img']
        # mmcv keeps ``v < thr`` and inverts the rest
        results['img'] = solarize(img, thr=self.threshold).astype(img.dtype)
        return results
