# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmpretrain's BYOL, MoCo and DenseCL on the library's momentum copy.

The three classes are mmpretrain's algorithms unchanged (networks, loss,
queue) except for their momentum copy: a :class:`MomentumEncoder` with the
paper's convention (``base_momentum`` is the weight of the copy: BYOL's
``tau = 0.99``, MoCo's ``m = 0.999``), annealed by
:class:`mmpixpro.engine.MomentumHook` (cosine for BYOL, constant for MoCo v2
and DenseCL), which also gives them one EMA step per optimiser step under
gradient accumulation, as for PixPro. They take names of
their own because mmpretrain's ``BYOL(base_momentum=0.004)`` and
``MoCo(momentum=0.001)`` mean ``1 - m``.
"""
from typing import Optional

from mmpretrain.models import BYOL, DenseCL, MoCo
from torch import nn

from mmpixpro.registry import MODELS
from ..utils import MomentumEncoder


class MomentumCopyMixin:
    """Build the upstream algorithm, then swap its EMA model for ours.

    The upstream ``loss`` keeps working: it calls
    ``update_parameters(Sequential(backbone, neck))`` on the copy named
    :attr:`copy_name` and runs it.

    Args:
        *args: The arguments of the upstream algorithm.
        base_momentum (float, optional): ``m``, the weight of the copy.
            Defaults to :attr:`default_momentum`.
        **kwargs: The keyword arguments of the upstream algorithm, less its
            own momentum argument.
    """

    copy_name = 'encoder_k'
    default_momentum = 0.999
    upstream_momentum_arg: Optional[str] = 'momentum'

    def __init__(self,
                 *args,
                 base_momentum: Optional[float] = None,
                 **kwargs) -> None:
        name = type(self).__name__
        if self.upstream_momentum_arg in kwargs:
            raise TypeError(
                f'{name} takes `base_momentum`, the weight of the momentum '
                f'copy (e.g. {self.default_momentum}), not mmpretrain\'s '
                f'`{self.upstream_momentum_arg}` (its complement).')
        if base_momentum is None:
            base_momentum = self.default_momentum
        if base_momentum < 0.5:
            raise ValueError(
                f'{name}: base_momentum={base_momentum} is the weight of the '
                f'momentum copy (e.g. {self.default_momentum}); '
                'mmpretrain\'s configs give its complement.')
        super().__init__(*args, **kwargs)
        setattr(self, self.copy_name,
                MomentumEncoder(self._online(), base_momentum))

    def _online(self) -> nn.Sequential:
        return nn.Sequential(self.backbone, self.neck)

    def init_weights(self) -> None:
        """Initialise the online networks, then copy them exactly."""
        super().init_weights()
        getattr(self, self.copy_name).sync(self._online().parameters())


@MODELS.register_module()
class MomentumBYOL(MomentumCopyMixin, BYOL):
    """mmpretrain's BYOL with a :class:`MomentumEncoder` as target.

    ``base_momentum`` is ``tau_0``, the target's weight at iteration 0
    (annealed to 1 by ``MomentumHook``); defaults to 0.99.
    """

    copy_name = 'target_net'
    default_momentum = 0.99
    upstream_momentum_arg = None


@MODELS.register_module()
class MomentumMoCo(MomentumCopyMixin, MoCo):
    """mmpretrain's MoCo with a :class:`MomentumEncoder` as key encoder.

    ``base_momentum`` is ``m``, the key encoder's weight, constant unless a
    ``MomentumHook`` with a schedule anneals it; defaults to 0.999.
    """


@MODELS.register_module()
class MomentumDenseCL(MomentumCopyMixin, DenseCL):
    """mmpretrain's DenseCL with a :class:`MomentumEncoder` as key encoder.

    ``base_momentum`` is ``m``, the key encoder's weight, constant unless a
    ``MomentumHook`` with a schedule anneals it; defaults to 0.999.
    """
