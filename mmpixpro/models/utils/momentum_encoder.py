# Copyright (c) mmpixpro contributors. All rights reserved.
"""The momentum (target) encoder and the paper's cosine momentum schedule."""
import copy
import math
from contextlib import contextmanager
from typing import Iterable, Iterator, List, Optional, Tuple

import torch
from torch import nn


def cosine_momentum(cur_iter: int,
                    max_iters: int,
                    base_momentum: float = 0.99,
                    end_momentum: float = 1.0) -> float:
    """Momentum at a global iteration: ``m = 1 - (1 - m0)(cos(pi k/K)+1)/2``.

    Args:
        cur_iter (int): The global iteration ``k`` (0-based).
        max_iters (int): The total number of iterations ``K``.
        base_momentum (float): ``m0``, the momentum at ``k = 0``.
            Defaults to 0.99.
        end_momentum (float): The momentum at ``k = K``. Defaults to 1.0.

    Returns:
        float: The momentum ``m`` for iteration ``k``.
    """
    if max_iters <= 0:
        return base_momentum
    progress = min(max(cur_iter / max_iters, 0.0), 1.0)
    return end_momentum - (end_momentum - base_momentum) * (
        math.cos(math.pi * progress) + 1) / 2


class MomentumEncoder(nn.Module):
    """A frozen copy of an online network updated by parameter EMA.

    ``theta' <- m * theta' + (1 - m) * theta`` for parameters only, ``m``
    being the weight of the copy (the paper's convention: 0.99 for PixPro
    and BYOL, 0.999 for MoCo). ``m`` starts at ``base_momentum`` and stays
    there unless :class:`mmpixpro.engine.MomentumHook` sets it from the
    Runner's iteration. The buffers (BN running statistics) of the copy
    evolve from its own forward passes, as in the paper (the target stays
    in train mode and normalises with batch statistics).

    Every algorithm of the library that keeps a momentum copy (PixPro and
    its variants, and the BYOL, MoCo v2 and DenseCL baselines) uses this
    class. It is not built on mmengine's ``ExponentialMovingAverage`` (nor
    mmpretrain's ``CosineEMA``) because their ``update_parameters`` (1)
    averages parameter by parameter instead of one fused
    ``torch._foreach_lerp_`` over all of them, (2) overwrites the copy's BN
    buffers with the online ones (or averages them) at every step, and (3)
    derives the schedule from their own update counter and the message
    hub's ``max_iters`` rather than from the Runner's iteration, with the
    opposite convention (``m`` weighs the online network).

    This class is the maths of the EMA step (:meth:`update`, the only EMA
    of the library); its owner calls it where the paper does (PixPro
    before its targets, mmpretrain's BYOL/MoCo/DenseCL through
    :meth:`update_parameters`). When it steps and with which ``m`` is
    decided in one place, :class:`mmpixpro.engine.MomentumHook`: with
    gradient accumulation (``k`` micro-batches per optimiser step) the copy
    takes one EMA step per optimiser step, not per forward, because the
    hook sets :attr:`held` (while it is True, :meth:`update` does nothing)
    in every micro-batch but the first of a step.

    It deliberately has no ``init_weights``: mmengine's initialisation skips
    it, and the owner copies the initialised online weights in with
    :meth:`sync`.

    Args:
        online (nn.Module): The online network to copy.
        base_momentum (float): ``m0``, the momentum before any schedule sets
            it. Defaults to 0.99.
    """

    def __init__(self, online: nn.Module, base_momentum: float = 0.99) -> None:
        super().__init__()
        if not 0.0 <= base_momentum <= 1.0:
            raise ValueError('base_momentum is the weight of the momentum '
                             f'copy and must lie in [0, 1], got '
                             f'{base_momentum}.')
        self.module = copy.deepcopy(online)
        for param in self.module.parameters():
            param.requires_grad_(False)
        self.base_momentum = base_momentum
        self.momentum = base_momentum
        self.held = False

    def forward(self, *args, **kwargs):
        """Run the momentum copy."""
        return self.module(*args, **kwargs)

    @torch.no_grad()
    def sync(self, online_params: Iterable[nn.Parameter]) -> None:
        """Copy the online parameters into the momentum copy exactly.

        Args:
            online_params (Iterable[nn.Parameter]): Parameters of the online
                network, in the order of ``self.module.parameters()``.
        """
        torch._foreach_copy_(*self._paired(online_params))

    @torch.no_grad()
    def update(self,
               online_params: Iterable[nn.Parameter],
               momentum: Optional[float] = None) -> None:
        """EMA step ``theta' = m theta' + (1 - m) theta`` (one fused call).

        Nothing happens while :attr:`held` is True.

        Args:
            online_params (Iterable[nn.Parameter]): Parameters of the online
                network, in the order of ``self.module.parameters()``.
            momentum (float, optional): ``m`` in [0, 1]. Defaults to the
                current ``self.momentum``.
        """
        if self.held:
            return
        m = self.momentum if momentum is None else momentum
        torch._foreach_lerp_(*self._paired(online_params), 1.0 - m)

    def update_parameters(self, online: nn.Module) -> None:
        """EMA step from a module, the call mmpretrain's algorithms make.

        Args:
            online (nn.Module): The online network (same structure as the
                copy).
        """
        self.update(online.parameters())

    def _paired(self, online_params: Iterable[nn.Parameter]
                ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Parameters of the copy and of the online network, checked."""
        target = list(self.module.parameters())
        online = [p.detach() for p in online_params]
        if len(target) != len(online) or any(
                t.shape != o.shape for t, o in zip(target, online)):
            raise ValueError('The online network does not match its momentum '
                             'copy (different parameter lists).')
        return target, online


def momentum_encoders(model: nn.Module) -> List[MomentumEncoder]:
    """Every :class:`MomentumEncoder` inside ``model``.

    Args:
        model (nn.Module): An algorithm (unwrapped from DDP).

    Returns:
        list[MomentumEncoder]: In module order; empty if there is none.
    """
    return [m for m in model.modules() if isinstance(m, MomentumEncoder)]


def set_momentum(model: nn.Module, momentum: float) -> None:
    """Set ``m`` of every momentum copy of ``model`` by hand.

    For tests and notebooks that run the model outside the Runner; under
    the Runner, :class:`mmpixpro.engine.MomentumHook` with a schedule sets
    ``m`` again before every iteration.

    Args:
        model (nn.Module): An algorithm (unwrapped from DDP).
        momentum (float): ``m`` in [0, 1], the weight of the copies.
    """
    for encoder in momentum_encoders(model):
        encoder.momentum = momentum


def current_momentum(model: nn.Module) -> float:
    """``m`` of the first momentum copy of ``model`` (module order).

    Args:
        model (nn.Module): An algorithm with at least one copy.

    Returns:
        float: The copy's current ``m``.
    """
    return momentum_encoders(model)[0].momentum


# ``momentum`` of an algorithm: reading gives the first copy's m, setting
# sets m of every copy (one definition for every algorithm class)
momentum_property = property(
    current_momentum, set_momentum,
    doc='``m``, the current weight of the momentum copies.')


@contextmanager
def momentum_held(model: nn.Module, hold: bool = True) -> Iterator[None]:
    """Hold (or release) every momentum copy of ``model`` for a while.

    Inside the context, :meth:`MomentumEncoder.update` of every copy does
    nothing when ``hold`` is True; the previous state is restored on exit.

    Args:
        model (nn.Module): An algorithm (unwrapped from DDP).
        hold (bool): Whether the copies skip their EMA steps.
            Defaults to True.

    Yields:
        None
    """
    encoders = momentum_encoders(model)
    before = [encoder.held for encoder in encoders]
    for encoder in encoders:
        encoder.held = hold
    try:
        yield
    finally:
        for encoder, held in zip(encoders, before):
            encoder.held = held
