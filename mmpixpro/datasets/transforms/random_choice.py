# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from mmpixpro.registry import TRANSFORMS
from .multi_view import ViewPipeline, build_view_pipeline


@TRANSFORMS.register_module()
class RandomPipelineChoice(BaseTransform):
    """Run one of several pipelines, chosen at random per call.

    E.g. "Revisiting Contrastive SSL"'s query views: with probability 1/2
    AutoAugment, else MoCo v2's colour recipe. Unlike mmcv's
    ``RandomChoice``, the pipelines are built through mmpixpro's
    ``TRANSFORMS`` (which also finds mmpretrain's and mmcv's transforms),
    so they may hold the library's transforms without a default scope. The
    choice is one draw from ``numpy.random`` (the stream the per-sample
    seed governs).

    Required and modified keys: those of the chosen pipeline.

    Args:
        pipelines (Sequence[Sequence[dict | Callable]]): The candidates.
        probs (Sequence[float], optional): Their probabilities (sum 1).
            Defaults to None (uniform).
    """

    def __init__(self,
                 pipelines: Sequence[ViewPipeline],
                 probs: Optional[Sequence[float]] = None) -> None:
        if not pipelines:
            raise ValueError('need at least one pipeline')
        if probs is not None and (len(probs) != len(pipelines)
                                  or abs(sum(probs) - 1) > 1e-6
                                  or min(probs) < 0):
            raise ValueError(f'probs must be {len(pipelines)} probabilities '
                             f'that sum to 1, got {probs}')
        self.pipelines = [build_view_pipeline(p) for p in pipelines]
        self.probs = None if probs is None else list(probs)

    @cache_randomness
    def choose(self) -> int:
        """Index of the pipeline to run.

        Returns:
            int: An index into ``pipelines``.
        """
        return int(np.random.choice(len(self.pipelines), p=self.probs))

    def transform(self, results: dict) -> Optional[dict]:
        """Run the chosen pipeline.

        Args:
            results (dict): The result dict.

        Returns:
            dict | None: Its output.
        """
        return self.pipelines[self.choose()](results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(pipelines={self.pipelines}, '
                f'probs={self.probs})')
