# Copyright (c) mmpixpro contributors. All rights reserved.
"""Optimiser wrappers whose step never sees a NaN/inf loss."""
import warnings
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmpixpro.registry import OPTIM_WRAPPERS


def all_ranks_finite(loss: torch.Tensor) -> bool:
    """Whether ``loss`` is finite on every rank (one all-reduce if any).

    Args:
        loss (Tensor): The loss of this rank.

    Returns:
        bool: True only if all ranks have a finite loss, so that all ranks
        take the same decision.
    """
    flag = torch.isfinite(loss.detach()).all().to(torch.float32).reshape(1)
    all_reduce(flag, op='min')  # no-op when not distributed
    return bool(flag.item())


class NonFiniteGuardMixin:
    """``update_params`` that skips ``backward``/``step`` on a bad loss.

    When the loss is NaN or infinite on any rank, the parameters stay as
    they were and :attr:`skipped_step` is set; ``NonFiniteLossHook`` reads
    (and clears) it after the iteration and stops the run or counts the
    skipped step.

    With gradient accumulation (``accumulative_counts = k``) the whole
    optimiser step of the bad micro-batch is skipped: the micro-batches of
    that step are counted but not back-propagated, and at its end the
    gradients accumulated before the bad one are cleared instead of
    applied. Every call counts one micro-batch (mmengine's inner count), so
    the steps stay aligned with the iterations.
    """

    skipped_step = False
    # a non-finite loss fell into the current optimiser step
    _discard_step = False

    def update_params(self,
                      loss: torch.Tensor,
                      step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        """mmengine's update, or only counting and ``zero_grad``.

        Args:
            loss (Tensor): The loss of this micro-batch.
            step_kwargs (dict, optional): For ``optimizer.step``.
            zero_kwargs (dict, optional): For ``optimizer.zero_grad``.
        """
        if not all_ranks_finite(loss):
            self.skipped_step = True
            self._discard_step = True
        if not self._discard_step:
            return super().update_params(loss, step_kwargs, zero_kwargs)
        self._inner_count += 1  # counted as mmengine's backward counts
        if self.should_update():
            self.zero_grad(**(zero_kwargs or {}))
            self._discard_step = False


@OPTIM_WRAPPERS.register_module()
class NonFiniteSkipOptimWrapper(NonFiniteGuardMixin, OptimWrapper):
    """mmengine's ``OptimWrapper`` that skips the optimiser step of a
    non-finite loss on all ranks (:class:`NonFiniteGuardMixin`).

    It knows nothing of the model: the momentum copies take their one EMA
    step per optimiser step from :class:`mmpixpro.engine.MomentumHook`.
    """


@OPTIM_WRAPPERS.register_module()
class NonFiniteSkipAmpOptimWrapper(NonFiniteGuardMixin, AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` that skips the optimiser step of a
    non-finite loss on all ranks (:class:`NonFiniteGuardMixin`)."""


def _deprecated(old: str, new: str) -> None:
    """Warn that the optimiser wrapper ``old`` is now called ``new``."""
    warnings.warn(
        f"optim_wrapper type '{old}' is a deprecated alias of '{new}' "
        "(the momentum copies' EMA step moved to MomentumHook); use "
        f"'{new}'.", DeprecationWarning, stacklevel=3)


@OPTIM_WRAPPERS.register_module()
class GuardedOptimWrapper(NonFiniteSkipOptimWrapper):
    """Deprecated alias of :class:`NonFiniteSkipOptimWrapper` (same
    behaviour), registered so that existing configs still build."""

    def __init__(self, *args, **kwargs) -> None:
        _deprecated('GuardedOptimWrapper', 'NonFiniteSkipOptimWrapper')
        super().__init__(*args, **kwargs)


@OPTIM_WRAPPERS.register_module()
class GuardedAmpOptimWrapper(NonFiniteSkipAmpOptimWrapper):
    """Deprecated alias of :class:`NonFiniteSkipAmpOptimWrapper` (same
    behaviour), registered so that existing configs still build."""

    def __init__(self, *args, **kwargs) -> None:
        _deprecated('GuardedAmpOptimWrapper', 'NonFiniteSkipAmpOptimWrapper')
        super().__init__(*args, **kwargs)
