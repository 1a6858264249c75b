# Copyright (c) mmpixpro contributors. All rights reserved.
"""The one home of the momentum copies' EMA step: when, and with which m."""
import warnings
from typing import List, Optional

from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.engine.optimizers import (accumulative_counts,
                                        optimizer_step_of,
                                        starts_optimizer_step)
from mmpixpro.models.utils import (MomentumEncoder, cosine_momentum,
                                   momentum_encoders)
from mmpixpro.registry import HOOKS

SCHEDULES = ('cosine', None)


@HOOKS.register_module()
class MomentumHook(Hook):
    """One EMA step per optimiser step, with ``m`` of that step, for every
    momentum copy of the model.

    The single place that drives the EMA step
    ``theta' = m theta' + (1 - m) theta`` of every
    :class:`~mmpixpro.models.utils.MomentumEncoder` (PixPro and its
    variants, BYOL, MoCo v2, DenseCL and any new momentum method): the
    model only holds its copies and calls
    :meth:`~mmpixpro.models.utils.MomentumEncoder.update` where its paper
    does; this hook decides, before every training iteration ``i``:

    * **m**: with ``schedule='cosine'`` (BYOL, PixPro),
      ``m = 1 - (1 - m0) (cos(pi s / S) + 1) / 2`` for each copy, ``m0``
      being its ``base_momentum``; with ``schedule=None`` (MoCo v2,
      DenseCL) ``m`` stays constant. ``s`` is the optimiser step of ``i``
      and ``S`` the number of steps: with ``accumulative_counts = k``,
      ``s = i // k`` and ``S = ceil(K / k)``; without accumulation, ``i``
      and ``K`` (the paper's schedule). ``m`` of the first copy is logged
      as ``momentum``.
    * **whether the copies step**: in the first micro-batch of each
      optimiser step (``i % k == 0``) they take their EMA step; in the
      other ``k - 1`` they are held, so every micro-batch of a step sees
      the same targets, as one batch of ``k`` times the size would. They
      are released after the iteration.

    Why a hook (and not an optimiser wrapper): a hook is mmengine's place
    for training behaviour that reads the Runner's state (``runner.iter``,
    ``runner.max_iters``, the wrapper's ``k``) and changes the model; the
    optimiser wrappers stay about the parameters they step, and a new
    momentum method needs nothing but a :class:`MomentumEncoder`. It keeps
    no state: ``i`` is the Runner's global iteration, restored on resume,
    so the schedule and the step boundaries continue where they stopped.
    It is also the guard of accumulation with momentum copies: it refuses
    optimiser wrappers that accumulate different ``k``. Without this hook a
    copy steps at every forward with a constant ``m`` (right only without
    accumulation), so every momentum config of the library adds it.

    Args:
        schedule (str, optional): ``'cosine'`` (the paper's) or None
            (constant ``m``). Defaults to ``'cosine'``.
        end_momentum (float): ``m`` at ``s = S`` of the cosine schedule.
            Defaults to 1.0.
    """

    priority = 'HIGH'

    def __init__(self,
                 schedule: Optional[str] = 'cosine',
                 end_momentum: float = 1.0) -> None:
        if schedule not in SCHEDULES:
            raise ValueError(f'schedule must be one of {SCHEDULES}, got '
                             f'{schedule!r}.')
        self.schedule = schedule
        self.end_momentum = end_momentum

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set ``m`` of the coming iteration; hold the copies unless it
        starts an optimiser step."""
        encoders = self.encoders(runner)
        counts = accumulative_counts(runner.optim_wrapper)
        step, steps = optimizer_step_of(runner.iter, runner.max_iters,
                                        counts)
        held = not starts_optimizer_step(runner.iter, counts)
        for encoder in encoders:
            if self.schedule == 'cosine':
                encoder.momentum = cosine_momentum(step, steps,
                                                   encoder.base_momentum,
                                                   self.end_momentum)
            encoder.held = held
        runner.message_hub.update_scalar('train/momentum',
                                         encoders[0].momentum)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Release the copies: outside the training iterations they step
        whenever their owner calls them."""
        for encoder in self.encoders(runner):
            encoder.held = False

    @staticmethod
    def encoders(runner) -> List[MomentumEncoder]:
        """The momentum copies of the Runner's model.

        Args:
            runner (Runner): The Runner.

        Returns:
            list[MomentumEncoder]: At least one.

        Raises:
            TypeError: If the model keeps no momentum copy.
        """
        model = get_ori_model(runner.model)
        encoders = momentum_encoders(model)
        if not encoders:
            raise TypeError(
                f'{type(model).__name__} keeps no MomentumEncoder; '
                'MomentumHook only drives models with a momentum copy '
                '(PixPro, MomentumBYOL, MomentumMoCo, MomentumDenseCL).')
        return encoders


@HOOKS.register_module()
class CosineMomentumHook(MomentumHook):
    """Deprecated alias of :class:`MomentumHook` (same arguments and
    behaviour, the cosine schedule by default), registered so that existing
    configs still build."""

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(
            "hook type 'CosineMomentumHook' is a deprecated alias of "
            "'MomentumHook' (which now also gives one EMA step per "
            "optimiser step); use 'MomentumHook'.", DeprecationWarning,
            stacklevel=2)
        super().__init__(*args, **kwargs)
