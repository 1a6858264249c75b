# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Any, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness


class RandomApply(BaseTransform):
    """Base of the transforms applied with probability ``prob``.

    :meth:`sample_params` draws one ``u ~ U(0, 1)`` from ``numpy.random``
    (the stream the per-sample seed governs) and, when ``u < prob``, the
    transform's own random parameters (:meth:`draw_params`);
    :meth:`transform` then calls :meth:`apply` with them. Subclasses
    implement :meth:`apply` (and :meth:`draw_params` if they draw more) and
    list the attributes shown by ``repr`` in ``repr_keys``.

    The parameters of the last call can be read back with mmcv's
    ``cache_random_params`` context (``sample_params`` is a
    ``cache_randomness`` method): inside it, ``sample_params()`` returns
    what the last call used.

    Args:
        prob (float): Probability to apply, in [0, 1].
    """

    repr_keys: Tuple[str, ...] = ('prob', )

    def __init__(self, prob: float) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    @cache_randomness
    def sample_params(self) -> Optional[Any]:
        """Draw whether to apply and, if so, the parameters.

        Returns:
            Any: None to skip, else :meth:`draw_params`'s value.
        """
        if np.random.rand() < self.prob:
            return self.draw_params()
        return None

    def draw_params(self) -> Any:
        """The transform's random parameters (none by default).

        Returns:
            Any: Parameters passed to :meth:`apply`; ``True`` here.
        """
        return True

    def transform(self, results: dict) -> dict:
        """Apply with probability ``prob``.

        Args:
            results (dict): The result dict.

        Returns:
            dict: The result dict, transformed or unchanged.
        """
        params = self.sample_params()
        if params is None:
            return results
        return self.apply(results, params)

    def apply(self, results: dict, params: Any) -> dict:
        """The transformation itself (always applied).

        Args:
            results (dict): The result dict.
            params (Any): What :meth:`draw_params` drew.

        Returns:
            dict: The transformed result dict.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={getattr(self, k)!r}' for k in self.repr_keys)
        return f'{self.__class__.__name__}({args})'
