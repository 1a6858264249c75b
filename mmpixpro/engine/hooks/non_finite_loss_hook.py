# Copyright (c) mmpixpro contributors. All rights reserved.
"""Stop (or skip the step) when the loss is NaN or infinite."""
from typing import Callable, Optional

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict

from mmpixpro.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite."""


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


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Guard the optimiser step against a NaN/inf loss.

    The optimiser wrapper's ``update_params`` is wrapped so that a
    non-finite loss (on any rank) never reaches ``backward``/``step``: the
    parameters stay as they were. Then, after the iteration:

    * ``action='stop'``: raise :class:`NonFiniteLossError` naming the
      iteration (1-based, as in the log) and every loss term. The hook runs
      before the checkpoint hook, so no checkpoint is written from the bad
      step and the last good one stays as it is.
    * ``action='skip'``: warn, count the step in the message hub
      (``skipped_steps``, saved in checkpoints) and go on; more than
      ``max_skips`` skipped steps stop the run.

    Args:
        action (str): 'stop' or 'skip'. Defaults to 'stop'.
        max_skips (int): Skipped steps tolerated with 'skip'.
            Defaults to 10.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, action: str = 'stop', max_skips: int = 10) -> None:
        if action not in ('stop', 'skip'):
            raise ValueError(f"action must be 'stop' or 'skip', got "
                             f'{action!r}')
        self.action = action
        self.max_skips = max_skips
        self._bad_step = False  # set and cleared within one iteration

    def before_train(self, runner) -> None:
        """Wrap ``update_params`` of every optimiser wrapper."""
        wrappers = runner.optim_wrapper
        if isinstance(wrappers, OptimWrapperDict):
            wrappers = list(wrappers.values())
        else:
            wrappers = [wrappers]
        for wrapper in wrappers:
            wrapper.update_params = self._guard(wrapper.update_params,
                                                wrapper)

    def _guard(self, update_params: Callable, wrapper) -> Callable:
        """Skip ``update_params`` (and clear gradients) on a bad loss."""

        def guarded(loss: torch.Tensor, *args, **kwargs):
            if all_ranks_finite(loss):
                return update_params(loss, *args, **kwargs)
            self._bad_step = True
            wrapper.zero_grad()

        return guarded

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Stop, or count the skipped step, after a non-finite loss."""
        if not self._bad_step:
            return
        self._bad_step = False
        terms = ', '.join(f'{k}={float(v):.6g}'
                          for k, v in (outputs or {}).items())
        where = f'iteration {runner.iter + 1} (epoch {runner.epoch + 1})'
        if self.action == 'stop':
            raise NonFiniteLossError(
                f'Non-finite loss at {where}: {terms}. The step was not '
                'applied and no checkpoint was written from it; the last '
                'checkpoint in the work_dir is intact. Lower the learning '
                "rate, or use NonFiniteLossHook(action='skip').")
        skipped = runner.message_hub.get_info('skipped_steps', 0) + 1
        runner.message_hub.update_info('skipped_steps', skipped)
        runner.logger.warning(f'Non-finite loss at {where}: {terms}; step '
                              f'skipped ({skipped} so far).')
        if skipped > self.max_skips:
            raise NonFiniteLossError(
                f'{skipped} steps skipped for non-finite losses (more than '
                f'max_skips={self.max_skips}); last at {where}: {terms}.')
