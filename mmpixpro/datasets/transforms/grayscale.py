# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np

from mmpixpro.registry import TRANSFORMS
from .functional import rgb_to_gray
from .random_apply import RandomApply


@TRANSFORMS.register_module()
class RandomRGBGrayscale(RandomApply):
    """Convert an RGB image to grayscale with probability ``prob``.

    Uses the ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B`` rounded as
    PIL's ``convert('L')`` and keeps three (equal) channels, like
    torchvision's ``RandomGrayscale`` on PIL images.

    Required keys: ``img`` (RGB ``uint8``, (H, W, 3)). Modified keys:
    ``img``.

    Args:
        prob (float): Probability of the conversion. Defaults to 0.2.
    """

    def __init__(self, prob: float = 0.2) -> None:
        super().__init__(prob)

    def apply(self, results: dict, params: bool) -> dict:
        """Convert ``results['img']`` to gray.

        Args:
            results (dict): Result dict with ``img``.
            params (bool): True (no parameters).

        Returns:
            dict: The result dict, ``img`` (H, W, 3) gray.
        """
        gray = rgb_to_gray(results['img'])
        results['img'] = np.repeat(gray[..., None], 3, axis=2)
        return results
