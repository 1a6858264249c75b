# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.models.utils import cosine_momentum, momentum_encoders
from mmpixpro.registry import HOOKS


@HOOKS.register_module()
class CosineMomentumHook(Hook):
    """Anneal the momentum of every momentum copy with the global iteration.

    Before every training iteration ``k`` of ``K``, sets the momentum of each
    :class:`~mmpixpro.models.utils.MomentumEncoder` of the model to
    ``m = 1 - (1 - m0) (cos(pi k / K) + 1) / 2``, ``m0`` being that
    encoder's ``base_momentum``, and logs the first one as ``momentum``.
    The hook keeps no state: ``k`` is the Runner's global iteration,
    restored on resume, so the schedule continues where it stopped.

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
        encoders = momentum_encoders(model)
        if not encoders:
            raise TypeError(
                f'{type(model).__name__} keeps no MomentumEncoder; '
                'CosineMomentumHook only drives models with a momentum copy '
                '(PixPro, MomentumBYOL, MomentumMoCo, MomentumDenseCL).')
        for encoder in encoders:
            encoder.momentum = cosine_momentum(runner.iter, runner.max_iters,
                                               encoder.base_momentum,
                                               self.end_momentum)
        runner.message_hub.update_scalar('train/momentum',
                                         encoders[0].momentum)
