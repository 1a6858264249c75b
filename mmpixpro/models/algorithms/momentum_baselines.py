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

Each reads ``inputs[0]`` and ``inputs[1]`` only, two views of one size as
in the papers (:data:`TWO_VIEWS_OF_ONE_SIZE`): a pipeline that makes more
views (whose extra views the loss would silently drop) or views of
several sizes is refused by :func:`mmpixpro.utils.check_config`.
"""
from typing import Optional

from mmpretrain.models import BYOL, DenseCL, MoCo
from torch import nn

from mmpixpro.registry import MODELS
from ..utils import MomentumEncoder, momentum_property

# ``supported_views`` of the algorithms that read inputs[0] and inputs[1]
TWO_VIEWS_OF_ONE_SIZE = dict(num_views=2, same_size=True)


class MomentumCopyMixin:
    """Build the upstream algorithm, then swap its EMA model for ours.

    The upstream ``loss`` keeps working: it calls
    ``update_parameters(Sequential(backbone, neck))`` on the copy named
    :attr:`copy_name` and runs it.

    Subclasses whose online chain is not ``backbone -> neck`` override
    :meth:`_online`; ``momentum`` reads and sets ``m`` by hand (tests,
    notebooks; under the Runner ``MomentumHook`` sets it).

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

    momentum = momentum_property

    def _online(self) -> nn.Sequential:
        """The online chain the copy mirrors: backbone -> neck."""
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
    supported_views = TWO_VIEWS_OF_ONE_SIZE


@MODELS.register_module()
class MomentumMoCo(MomentumCopyMixin, MoCo):
    """mmpretrain's MoCo with a :class:`MomentumEncoder` as key encoder.

    `MoCo v1 <https://arxiv.org/abs/1911.05722>`_ and `v2
    <https://arxiv.org/abs/2003.04297>`_ differ in their configs only: the
    query ``q = f_q(x_q)`` and key ``k = f_k(x_k)`` of views 0 and 1 go
    through a linear 128-d projection (``LinearNeck``, T = 0.07) in v1, an
    MLP (``MoCoV2Neck``, T = 0.2) in v2; the loss is the InfoNCE
    ``-log(exp(q.k / T) / (exp(q.k / T) + sum_i exp(q.k_i / T)))`` over the
    queue keys ``k_i`` (one direction, q from view 0, as in the papers).

    ``base_momentum`` is ``m``, the key encoder's weight, constant unless a
    ``MomentumHook`` with a schedule anneals it; defaults to 0.999.
    """

    supported_views = TWO_VIEWS_OF_ONE_SIZE


@MODELS.register_module()
class MomentumDenseCL(MomentumCopyMixin, DenseCL):
    """mmpretrain's DenseCL with a :class:`MomentumEncoder` as key encoder.

    ``base_momentum`` is ``m``, the key encoder's weight, constant unless a
    ``MomentumHook`` with a schedule anneals it; defaults to 0.999.
    """

    supported_views = TWO_VIEWS_OF_ONE_SIZE
