# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform

from mmpixpro.registry import TRANSFORMS
from .functional import rgb_to_gray


@TRANSFORMS.register_module()
class RandomGrayscale(BaseTransform):
    """Convert an RGB image to grayscale with probability ``prob``.

    Uses the ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B`` and keeps three
    (equal) channels, like torchvision's ``RandomGrayscale``.

    Required keys: ``img`` (RGB ``uint8``, (H, W, 3)). Modified keys:
    ``img``.

    Args:
        prob (float): Probability of the conversion. Defaults to 0.2.
    """

    def __init__(self, prob: float = 0.2) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Convert ``results['img']`` with probability ``prob``.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict: The result dict, ``img`` (H, W, 3) gray or unchanged.
        """
        if np.random.rand() < self.prob:
            gray = rgb_to_gray(results['img'])
            results['img'] = np.repeat(gray[..., None], 3, axis=2)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'
