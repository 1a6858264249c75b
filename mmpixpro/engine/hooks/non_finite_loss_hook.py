# Copyright (c) mmpixpro contributors. All rights reserved.
"""Stop (or skip the step) when the loss is NaN or infinite."""
from typing import Optional

from mmengine.hooks import Hook

from mmpixpro.engine.optimizers import NonFiniteGuardMixin, optim_wrappers
from mmpixpro.registry import HOOKS
from mmpixpro.checkpoint import latest_checkpoint


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or infinite."""


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Stop (or count) steps skipped for a NaN/inf loss.

    The guard itself is the optimiser wrapper's
    (``NonFiniteSkipOptimWrapper`` / ``NonFiniteSkipAmpOptimWrapper``, the
    types of mmpixpro configs): a
    non-finite loss (on any rank) never reaches ``backward``/``step``. This
    hook reads the wrapper's ``skipped_step`` after the iteration:

    * ``action='stop'``: raise :class:`NonFiniteLossError` naming the
      iteration (1-based, as in the log), every loss term and the newest
      checkpoint (``SafeCheckpointHook`` saves finite states only). The
      hook runs before the checkpoint hook, so nothing is saved from the
      bad step.
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

    def before_train(self, runner) -> None:
        """Require guarded optimiser wrappers."""
        plain = [type(w).__name__ for w in optim_wrappers(runner.optim_wrapper)
                 if not isinstance(w, NonFiniteGuardMixin)]
        if plain:
            raise TypeError(
                f'NonFiniteLossHook needs optim_wrapper type '
                "'NonFiniteSkipOptimWrapper' (or "
                f"'NonFiniteSkipAmpOptimWrapper'), got "
                f'{plain}: set it in the config, or remove '
                'default_hooks.non_finite_loss to train unguarded.')

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Stop, or count the skipped step, after a non-finite loss."""
        bad = [
            w for w in optim_wrappers(runner.optim_wrapper) if w.skipped_step
        ]
        if not bad:
            return
        for wrapper in bad:
            wrapper.skipped_step = False
        terms = ', '.join(f'{k}={float(v):.6g}'
                          for k, v in (outputs or {}).items())
        where = f'iteration {runner.iter + 1} (epoch {runner.epoch + 1})'
        if self.action == 'stop':
            newest = latest_checkpoint(runner.work_dir) or 'none yet'
            raise NonFiniteLossError(
                f'Non-finite loss at {where}: {terms}. The step was not '
                'applied and nothing was saved from it. Newest checkpoint '
                f'(all finite): {newest}. Lower the learning rate and '
                "resume from it, or use NonFiniteLossHook(action='skip').")
        skipped = runner.message_hub.get_info('skipped_steps', 0) + 1
        runner.message_hub.update_info('skipped_steps', skipped)
        runner.logger.warning(f'Non-finite loss at {where}: {terms}; step '
                              f'skipped ({skipped} so far).')
        if skipped > self.max_skips:
            raise NonFiniteLossError(
                f'{skipped} steps skipped for non-finite losses (more than '
                f'max_skips={self.max_skips}); last at {where}: {terms}.')
