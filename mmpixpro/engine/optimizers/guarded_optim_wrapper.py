# Copyright (c) mmpixpro contributors. All rights reserved.
"""Optimiser wrappers whose step never sees a NaN/inf loss."""
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
    they were, the gradients are cleared and :attr:`skipped_step` is set;
    ``NonFiniteLossHook`` reads (and clears) it after the iteration and
    stops the run or counts the skipped step.
    """

    skipped_step = False

    def update_params(self, loss: torch.Tensor, *args, **kwargs) -> None:
        """mmengine's update, or nothing but ``zero_grad`` on a bad loss.

        Args:
            loss (Tensor): The loss of this iteration.
            *args, **kwargs: As for ``OptimWrapper.update_params``.
        """
        if all_ranks_finite(loss):
            return super().update_params(loss, *args, **kwargs)
        self.skipped_step = True
        self.zero_grad()


@OPTIM_WRAPPERS.register_module()
class GuardedOptimWrapper(NonFiniteGuardMixin, OptimWrapper):
    """mmengine's ``OptimWrapper`` with :class:`NonFiniteGuardMixin`."""


@OPTIM_WRAPPERS.register_module()
class GuardedAmpOptimWrapper(NonFiniteGuardMixin, AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` with :class:`NonFiniteGuardMixin`."""
