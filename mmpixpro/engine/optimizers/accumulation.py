# Copyright (c) mmpixpro contributors. All rights reserved.
"""Gradient accumulation with one momentum (EMA) step per optimiser step."""
import math
from contextlib import contextmanager
from typing import Iterator, List, Tuple

from mmengine.optim import OptimWrapperDict
from mmpretrain.utils import get_ori_model
from torch import nn

from mmpixpro.models.utils.momentum_encoder import momentum_held


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


class MomentumPerStepMixin:
    """``optim_context`` in which momentum copies step once per update.

    With ``accumulative_counts = k`` an optimiser step spans ``k`` forwards
    (micro-batches), but the online weights ``theta`` change only at the
    step. The momentum copies of the model (every
    :class:`~mmpixpro.models.utils.MomentumEncoder`) therefore take their
    EMA step ``theta' = m theta' + (1 - m) theta`` in the first micro-batch
    of each step and are held in the other ``k - 1``: every micro-batch of
    a step sees the same targets, as one batch of ``k`` times the size
    would. Which micro-batch comes next is mmengine's inner count (the
    global iteration under the Runner, restored on resume), so no state of
    our own is kept. Without accumulation (``k = 1``) nothing changes.
    """

    def starts_step(self) -> bool:
        """Whether the coming micro-batch is the first of its step."""
        return self._inner_count % self._accumulative_counts == 0

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """mmengine's context, with the momentum copies held unless the
        coming micro-batch starts an optimiser step.

        Args:
            model (nn.Module): The training model (DDP-wrapped or not).

        Yields:
            None
        """
        with super().optim_context(model), momentum_held(
                get_ori_model(model), not self.starts_step()):
            yield
