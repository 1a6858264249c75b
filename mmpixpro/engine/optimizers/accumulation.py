# Copyright (c) mmpixpro contributors. All rights reserved.
"""Gradient accumulation: ``k`` micro-batches per optimiser step.

What the rest of the library reads of mmengine's accumulation: ``k`` and
the optimiser step ``s`` of an iteration (the momentum schedule and the
single EMA step per optimiser step of :class:`mmpixpro.engine.MomentumHook`,
the effective batch of ``auto_scale_lr``).
"""
import math
from typing import List, Tuple

from mmengine.optim import OptimWrapperDict


def optim_wrappers(optim_wrapper) -> List:
    """The wrappers of an ``OptimWrapperDict``, or ``[optim_wrapper]``."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        return list(optim_wrapper.values())
    return [optim_wrapper]


def accumulative_counts(optim_wrapper) -> int:
    """``k``, the micro-batches accumulated into one optimiser step.

    mmengine's ``OptimWrapper(accumulative_counts=k)`` keeps it as
    ``_accumulative_counts`` and has no public accessor for it.

    Args:
        optim_wrapper (OptimWrapper | OptimWrapperDict): The Runner's
            wrapper(s).

    Returns:
        int: ``k`` (1 without accumulation).

    Raises:
        ValueError: If the wrappers of an ``OptimWrapperDict`` accumulate
            differently (no single optimiser step to follow).
    """
    counts = {
        getattr(w, '_accumulative_counts', 1)
        for w in optim_wrappers(optim_wrapper)
    }
    if len(counts) != 1:
        raise ValueError('The optimiser wrappers accumulate different '
                         f'numbers of micro-batches {sorted(counts)}: '
                         'set one accumulative_counts for all of them.')
    return counts.pop()


def optimizer_step_of(cur_iter: int, max_iters: int,
                      counts: int) -> Tuple[int, int]:
    """Optimiser step ``s`` of an iteration and the total ``S``.

    mmengine's wrapper steps after iterations ``k - 1, 2k - 1, ...`` and
    after the last one (a shorter final step when ``k`` does not divide the
    iterations), so iteration ``i`` belongs to step ``s = i // k`` of
    ``S = ceil(K / k)``.

    Args:
        cur_iter (int): The global iteration ``i`` (0-based).
        max_iters (int): The total number of iterations ``K``.
        counts (int): ``k``, micro-batches per optimiser step.

    Returns:
        tuple[int, int]: ``(s, S)``.
    """
    return cur_iter // counts, math.ceil(max_iters / counts)


def starts_optimizer_step(cur_iter: int, counts: int) -> bool:
    """Whether iteration ``i`` is the first micro-batch of its step.

    Args:
        cur_iter (int): The global iteration ``i`` (0-based).
        counts (int): ``k``, micro-batches per optimiser step.

    Returns:
        bool: True when ``i % k == 0`` (always without accumulation).
    """
    return cur_iter % counts == 0
