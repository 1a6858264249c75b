# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Iterable, List

import torch
from torch import Tensor
from torch.optim.optimizer import Optimizer

from mmpixpro.registry import OPTIMIZERS


def lars_excluded(param: Tensor, group: dict) -> bool:
    """Whether a parameter skips weight decay and the trust ratio.

    Every 1-D parameter (BN weights and biases, conv and linear biases) is
    excluded when the group's ``exclude_1d`` is on, whatever its name; a
    group may also set ``lars_exclude=True`` (mmpretrain's convention).

    Args:
        param (Tensor): The parameter.
        group (dict): Its parameter group.

    Returns:
        bool: True if the parameter gets plain SGD-momentum.
    """
    return group.get('lars_exclude', False) or (group['exclude_1d']
                                                and param.ndim <= 1)


@OPTIMIZERS.register_module()
class PixProLARS(Optimizer):
    """LARS (`You et al., 2017 <https://arxiv.org/abs/1708.03888>`_) as used
    by PixPro.

    For a parameter w with gradient g, unless excluded:
    ``d = g + wd * w``, ``d <- d * eta * ||w|| / (||d|| + eps)`` (trust ratio
    1 where ``||w||`` or ``||d||`` is 0). Excluded parameters (every 1-D one
    by default, see :func:`lars_excluded`) get ``d = g``: neither weight
    decay nor trust ratio. Then SGD momentum at the full learning rate:
    ``buf = mu * buf + d``, ``w <- w - lr * buf``.

    Unlike mmpretrain's ``LARS`` this decides the exclusion by tensor
    dimension (not by parameter name), puts the weight decay inside the norm
    of the trust ratio (as the official PixPro code does), and never calls
    ``.item()`` (no device synchronisation per parameter).

    Args:
        params (Iterable): Parameters or parameter groups.
        lr (float): Learning rate.
        momentum (float): SGD momentum mu. Defaults to 0.9.
        weight_decay (float): Weight decay wd. Defaults to 0.
        eta (float): Trust coefficient. Defaults to 0.001.
        eps (float): Added to the update norm. Defaults to 1e-8.
        exclude_1d (bool): Exclude every 1-D parameter. Defaults to True.
    """

    def __init__(self,
                 params: Iterable,
                 lr: float,
                 momentum: float = 0.9,
                 weight_decay: float = 0.,
                 eta: float = 0.001,
                 eps: float = 1e-8,
                 exclude_1d: bool = True) -> None:
        for name, value in (('lr', lr), ('momentum', momentum),
                            ('weight_decay', weight_decay), ('eta', eta)):
            if value < 0:
                raise ValueError(f'LARS: invalid {name} {value} (< 0)')
        defaults = dict(
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            eta=eta,
            eps=eps,
            exclude_1d=exclude_1d)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """Perform one optimisation step.

        All parameters of a group are updated with ``torch._foreach_*``
        calls (a few kernels per group instead of several per parameter).

        Args:
            closure (callable, optional): Re-evaluates the model and returns
                the loss.

        Returns:
            The loss returned by ``closure``, if any.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group['params'] if p.grad is not None]
            if not params:
                continue
            updates = [p.grad for p in params]
            scaled = [i for i, p in enumerate(params)
                      if not lars_excluded(p, group)]
            if scaled:
                scaled_updates = self._trust_scaled(
                    [params[i] for i in scaled], [updates[i] for i in scaled],
                    group)
                for i, update in zip(scaled, scaled_updates):
                    updates[i] = update
            self._momentum_step(params, updates, group)
        return loss

    @staticmethod
    def _trust_scaled(params: List[Tensor], grads: List[Tensor],
                      group: dict) -> List[Tensor]:
        """``d = (g + wd w) * eta ||w|| / (||g + wd w|| + eps)`` per tensor.

        The trust ratio is 1 where ``||w||`` or ``||d||`` is 0.
        """
        updates = torch._foreach_add(
            grads, params, alpha=group['weight_decay'])
        w_norm = torch.stack(torch._foreach_norm(params))
        d_norm = torch.stack(torch._foreach_norm(updates))
        trust = torch.where((w_norm > 0) & (d_norm > 0),
                            group['eta'] * w_norm / (d_norm + group['eps']),
                            torch.ones_like(w_norm))
        torch._foreach_mul_(updates, list(trust.unbind()))
        return updates

    def _momentum_step(self, params: List[Tensor], updates: List[Tensor],
                       group: dict) -> None:
        """``buf = mu * buf + d`` (buf starts at 0); ``w -= lr * buf``."""
        if group['momentum'] != 0:
            bufs = [
                self.state[p].setdefault('momentum_buffer',
                                         torch.zeros_like(p)) for p in params
            ]
            torch._foreach_mul_(bufs, group['momentum'])
            torch._foreach_add_(bufs, updates)
            updates = bufs
        torch._foreach_add_(params, updates, alpha=-group['lr'])
