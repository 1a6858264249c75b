# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Tuple

import numpy as np

from mmpixpro.registry import TRANSFORMS
from .functional import gaussian_blur
from .random_apply import RandomApply


def auto_kernel_size(height: int, width: int) -> int:
    """Odd kernel size of about 10% of the shorter image side.

    Args:
        height (int): Image height.
        width (int): Image width.

    Returns:
        int: ``2 * floor(0.05 * side) + 1``, e.g. 23 for a 224 image (BYOL).
    """
    return 2 * int(0.05 * min(height, width)) + 1


@TRANSFORMS.register_module()
class RandomGaussianBlur(RandomApply):
    """Gaussian blur with a random sigma, applied with probability ``prob``.

    ``sigma ~ U(sigma[0], sigma[1])``; the kernel is square, of size
    ``kernel_size`` or, if None, an odd size of about 10% of the shorter
    image side. Borders are reflected (``cv2.BORDER_REFLECT_101``); the
    kernel is torchvision's (see :func:`.functional.gaussian_blur`).

    Required keys: ``img`` (RGB ``uint8``, (H, W, 3)). Modified keys:
    ``img``.

    Args:
        sigma (tuple[float, float]): Range of the standard deviation, in
            pixels. Defaults to (0.1, 2.0).
        prob (float): Probability to blur. Defaults to 1.0.
        kernel_size (int, optional): Odd kernel size. Defaults to None.
    """

    repr_keys = ('sigma', 'prob', 'kernel_size')

    def __init__(self,
                 sigma: Tuple[float, float] = (0.1, 2.0),
                 prob: float = 1.0,
                 kernel_size: Optional[int] = None) -> None:
        if not 0 < sigma[0] <= sigma[1]:
            raise ValueError(f'need 0 < sigma[0] <= sigma[1], got {sigma}')
        if kernel_size is not None and kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        super().__init__(prob)
        self.sigma = tuple(sigma)
        self.kernel_size = kernel_size

    def draw_params(self) -> float:
        """Draw ``sigma ~ U(sigma[0], sigma[1])``.

        Returns:
            float: The standard deviation, pixels.
        """
        return float(np.random.uniform(*self.sigma))

    def apply(self, results: dict, params: float) -> dict:
        """Blur ``results['img']`` with the drawn sigma.

        Args:
            results (dict): Result dict with ``img``.
            params (float): Sigma, pixels.

        Returns:
            dict: The result dict, ``img`` blurred.
        """
        img = results['img']
        k = self.kernel_size or auto_kernel_size(*img.shape[:2])
        results['img'] = gaussian_blur(img, k, params)
        return results
