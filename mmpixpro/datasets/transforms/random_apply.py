# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform


class RandomApply(BaseTransform):
    """Base of the transforms applied with probability ``prob``.

    :meth:`transform` draws one ``u ~ U(0, 1)`` from ``numpy.random`` (the
    stream the per-sample seed governs) and calls :meth:`apply` when
    ``u < prob``. Subclasses implement :meth:`apply` and list the
    attributes shown by ``repr`` in ``repr_keys``.

    Args:
        prob (float): Probability to apply, in [0, 1].
    """

    repr_keys: Tuple[str, ...] = ('prob', )

    def __init__(self, prob: float) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Apply with probability ``prob``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict, transformed or unchanged.
        """
        if np.random.rand() < self.prob:
            return self.apply(results)
        return results

    def apply(self, results: dict) -> dict:
        """The transformation itself (always applied).

        Args:
            results (dict): The result dict.

        Returns:
            dict: The transformed result dict.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={getattr(self, k)!r}' for k in self.repr_keys)
        return f'{self.__class__.__name__}({args})'
