# Copyright (c) mmpixpro contributors. All rights reserved.
"""Seed torch's global generator from the iteration, so that a resumed run
draws what the uninterrupted run drew (stochastic depth, dropout)."""
from typing import Optional

import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS

# a prime larger than any iteration count, so that (seed, iter, rank)
# give distinct seeds
_STRIDE = 1_000_003
_SEED_MASK = (1 << 63) - 1


def iteration_seed(seed: int, iteration: int, rank: int = 0,
                   world_size: int = 1) -> int:
    """The seed of one rank's train iteration.

    Args:
        seed (int): The run's seed (``randomness.seed``).
        iteration (int): ``runner.iter`` before the iteration (0-based).
        rank (int): Process rank. Defaults to 0.
        world_size (int): Number of processes. Defaults to 1.

    Returns:
        int: ``((seed * STRIDE + iteration) * world_size + rank)`` in
        [0, 2^63): distinct for each (iteration, rank) of a run.
    """
    return ((seed * _STRIDE + iteration) * world_size + rank) & _SEED_MASK


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Re-seed torch's global generator before every train iteration.

    Stochastic depth (``drop_path_rate`` of mmpretrain's ViT, Swin and
    ConvNeXt) and dropout draw from torch's global generator, whose state a
    checkpoint does not hold: a run resumed from iteration k draws other
    masks than the uninterrupted run from iteration k + 1 on. Seeding the
    generator (CPU and CUDA, :func:`torch.manual_seed`) with
    :func:`iteration_seed` of the run's seed, the iteration and the rank
    before each step makes every step's draws a function of those three,
    so the resumed steps equal the uninterrupted ones. Each rank gets its
    own seed (different masks per process, as with a per-rank seed). The
    data pipeline is not affected (its samples are seeded by
    :mod:`mmpixpro.datasets.seeding`); the batch is fetched before the hook
    runs.

    Args:
        seed (int, optional): Base seed; defaults to the Runner's seed
            (``randomness.seed``, or the one mmengine drew), else 0.
    """

    priority = 'VERY_HIGH'  # before any hook that could draw

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        seed = self.seed
        if seed is None:
            seed = getattr(runner, 'seed', None) or 0
        rank, world_size = get_dist_info()
        torch.manual_seed(
            iteration_seed(int(seed), runner.iter, rank, world_size))
