# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.models.utils import cosine_momentum
from mmpixpro.registry import HOOKS


@HOOKS.register_module()
class CosineMomentumHook(Hook):
    """Set the momentum of the target network from the global iteration.

    Before every training iteration ``k`` of ``K``, sets
    ``model.momentum = 1 - (1 - m0) (cos(pi k / K) + 1) / 2`` with ``m0 =
    model.base_momentum``, and logs it as ``momentum``. The hook keeps no
    state: ``k`` is the Runner's global iteration, restored on resume, so
    the schedule continues where it stopped.

    Args:
        end_momentum (float): Momentum at ``k = K``. Defaults to 1.0.
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
        if not hasattr(model, 'base_momentum'):
            raise AttributeError(
                f'{type(model).__name__} has no `base_momentum`; '
                'CosineMomentumHook only drives models with a momentum '
                'encoder such as PixPro.')
        momentum = cosine_momentum(runner.iter, runner.max_iters,
                                   model.base_momentum, self.end_momentum)
        model.momentum = momentum
        runner.message_hub.update_scalar('train/momentum', momentum)
