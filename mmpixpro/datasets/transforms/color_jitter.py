# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Callable, List, Optional, Tuple

import numpy as np

from mmpixpro.registry import TRANSFORMS
from .functional import (adjust_brightness, adjust_contrast, adjust_hue,
                         adjust_saturation)
from .random_apply import RandomApply


def factor_range(strength: float) -> Optional[Tuple[float, float]]:
    """Range ``[max(0, 1 - v), 1 + v]`` of a multiplicative jitter factor.

    Args:
        strength (float): Jitter strength v >= 0; 0 disables the operation.

    Returns:
        tuple[float, float] | None: The range, or None if disabled.
    """
    if strength < 0:
        raise ValueError(f'jitter strength must be >= 0, got {strength}')
    if strength == 0:
        return None
    return max(0.0, 1.0 - strength), 1.0 + strength


@TRANSFORMS.register_module()
class RandomColorJitter(RandomApply):
    """Randomly change brightness, contrast, saturation and hue (RGB).

    torchvision's ``ColorJitter`` semantics, applied with probability
    ``prob`` (torchvision's ``RandomApply``): the four operations run in a
    random order; brightness, contrast and saturation factors are uniform in
    ``[max(0, 1 - v), 1 + v]``; contrast blends with the mean of the
    grayscale image, saturation with the grayscale image; the hue shift is
    uniform in ``[-hue, hue]`` turns, with wrap-around. The arithmetic is
    that of torchvision on PIL images (see :mod:`.functional`). All draws
    use ``np.random`` so that a per-sample seed governs them.

    Required keys: ``img`` (RGB ``uint8``, (H, W, 3)). Modified keys:
    ``img``.

    Args:
        brightness (float): Brightness strength. Defaults to 0.4.
        contrast (float): Contrast strength. Defaults to 0.4.
        saturation (float): Saturation strength. Defaults to 0.2.
        hue (float): Maximum hue shift in turns, in [0, 0.5].
            Defaults to 0.1.
        prob (float): Probability to apply the jitter. Defaults to 0.8.
    """

    repr_keys = ('brightness', 'contrast', 'saturation', 'hue', 'prob')

    def __init__(self,
                 brightness: float = 0.4,
                 contrast: float = 0.4,
                 saturation: float = 0.2,
                 hue: float = 0.1,
                 prob: float = 0.8) -> None:
        if not 0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}')
        super().__init__(prob)
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self._ranges = [
            (adjust_brightness, factor_range(brightness)),
            (adjust_contrast, factor_range(contrast)),
            (adjust_saturation, factor_range(saturation)),
            (adjust_hue, (-hue, hue) if hue > 0 else None),
        ]

    def draw_params(self) -> List[Tuple[Callable, float]]:
        """Draw the order of the operations and their factors.

        Returns:
            list[tuple[Callable, float]]: ``(operation, factor)`` in the
            order to apply; disabled operations are left out.
        """
        order = np.random.permutation(len(self._ranges))
        ops = []
        for k in order:
            fn, bounds = self._ranges[k]
            if bounds is not None:
                ops.append((fn, float(np.random.uniform(*bounds))))
        return ops

    def apply(self, results: dict,
              params: List[Tuple[Callable, float]]) -> dict:
        """Jitter ``results['img']``.

        Args:
            results (dict): Result dict with ``img``.
            params (list[tuple[Callable, float]]): ``(operation, factor)``
                in the order to apply.

        Returns:
            dict: The result dict, ``img`` jittered.
        """
        img = results['img']
        for fn, factor in params:
            img = fn(img, factor)
        results['img'] = img
        return results
