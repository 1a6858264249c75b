# Copyright (c) mmpixpro contributors. All rights reserved.
"""Randomness of data loading: per-sample seeds and per-worker streams."""
import os
import random
from contextlib import contextmanager
from typing import Iterator, Optional

import numpy as np
import torch

from mmpixpro.registry import FUNCTIONS

# SeedSequence takes non-negative entropy; fold any int into [0, 2**63).
_SEED_MODULUS = 2**63


def fold_seed(seed: int) -> int:
    """Map any integer seed into ``[0, 2**63)`` (int64-storable, >= 0).

    Args:
        seed (int): A seed, possibly negative or huge.

    Returns:
        int: ``seed mod 2**63``.
    """
    return int(seed) % _SEED_MODULUS


def seed_global_rngs(*entropy: int) -> None:
    """Seed ``numpy.random`` and ``random`` from a ``SeedSequence``.

    Args:
        *entropy (int): Non-negative integers, e.g. (seed, epoch, idx).
    """
    state = np.random.SeedSequence(list(entropy)).generate_state(4)
    np.random.seed(state)
    random.seed(int.from_bytes(state.tobytes(), 'little'))


@contextmanager
def seeded_global_rngs(*entropy: int) -> Iterator[None]:
    """Run a block with ``numpy.random``/``random`` seeded from ``entropy``.

    The previous states are restored on exit, so the caller's streams (e.g.
    the main process's when ``num_workers=0``) are left untouched.

    Args:
        *entropy (int): Non-negative integers, e.g. (seed, epoch, idx).
    """
    np_state = np.random.get_state()
    py_state = random.getstate()
    seed_global_rngs(*entropy)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


@FUNCTIONS.register_module()
def pixpro_worker_init_fn(worker_id: int,
                          num_workers: Optional[int] = None,
                          rank: Optional[int] = None,
                          seed: Optional[int] = None) -> None:
    """Give each dataloader worker its own numpy/random/torch streams.

    The streams derive from ``(seed, rank, worker_id, torch.initial_seed())``
    through a ``SeedSequence``; ``torch.initial_seed()`` in a worker is the
    loader's base seed plus the worker id, and the base seed is drawn anew
    for every iterator, so the streams also change between epochs when
    workers are not persistent. They serve transforms that the per-sample
    seed of :class:`UnlabeledImageFolder` does not govern.

    mmengine's Runner passes only the keys of the config dict to a
    configured ``worker_init_fn``; missing ones are filled in here: ``rank``
    from the ``RANK`` environment variable (0 if unset), ``seed`` as 0.

    Args:
        worker_id (int): Worker index in ``[0, num_workers)``.
        num_workers (int, optional): Number of workers (kept for mmengine's
            signature; the worker id already separates the streams).
        rank (int, optional): Distributed rank. Defaults to None.
        seed (int, optional): Experiment seed. Defaults to None.
    """
    if rank is None:
        rank = int(os.environ.get('RANK', 0))
    seed = 0 if seed is None else fold_seed(seed)
    entropy = [seed, rank, worker_id, torch.initial_seed()]
    seed_global_rngs(*entropy)
    torch_seed = np.random.SeedSequence(entropy).generate_state(
        1, dtype=np.uint64)[0]
    torch.manual_seed(int(torch_seed))
