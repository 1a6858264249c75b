# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.engine.optimizers import accumulative_counts, optimizer_step_of
from mmpixpro.models.utils import cosine_momentum, momentum_encoders
from mmpixpro.registry import HOOKS


@HOOKS.register_module()
class CosineMomentumHook(Hook):
    """Anneal the momentum of every momentum copy with the optimiser step.

    Before every training iteration, sets the momentum of each
    :class:`~mmpixpro.models.utils.MomentumEncoder` of the model to
    ``m = 1 - (1 - m0) (cos(pi s / S) + 1) / 2``, ``m0`` being that
    encoder's ``base_momentum``, and logs the first one as ``momentum``.
    ``s`` is the optimiser step of the coming iteration ``i`` and ``S`` the
    number of steps of the run: with ``accumulative_counts = k``,
    ``s = i // k`` and ``S = ceil(K / k)``; without accumulation they are
    the iteration ``i`` and ``K``, the paper's schedule. The copies take
    their EMA step in the first micro-batch of each step (see
    :class:`~mmpixpro.engine.optimizers.MomentumPerStepMixin`), so the
    ``m`` they use is that of their step.

    The hook keeps no state: ``i`` is the Runner's global iteration,
    restored on resume, so the schedule continues where it stopped.

    Args:
        end_momentum (float): Momentum at ``s = S``. Defaults to 1.0.
    """

    priority = 'HIGH'

    def __init__(self, end_momentum: float = 1.0) -> None:
        self.end_momentum = end_momentum

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Compute and set ``m`` for the coming iteration."""
        model = get_ori_model(runner.model)
        encoders = momentum_encoders(model)
        if not encoders:
            raise TypeError(
                f'{type(model).__name__} keeps no MomentumEncoder; '
                'CosineMomentumHook only drives models with a momentum copy '
                '(PixPro, MomentumBYOL, MomentumMoCo, MomentumDenseCL).')
        step, steps = optimizer_step_of(
            runner.iter, runner.max_iters,
            accumulative_counts(runner.optim_wrapper))
        for encoder in encoders:
            encoder.momentum = cosine_momentum(step, steps,
                                               encoder.base_momentum,
                                               self.end_momentum)
        runner.message_hub.update_scalar('train/momentum',
                                         encoders[0].momentum)
