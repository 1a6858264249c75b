# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check that every rank holds the same parameters."""
from typing import Optional

import torch
from mmengine.dist import all_gather, get_world_size
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.registry import HOOKS


def param_fingerprint(model: torch.nn.Module) -> torch.Tensor:
    """Two float64 numbers summarising all parameters of ``model``.

    Args:
        model (nn.Module): The model.

    Returns:
        Tensor: ``(sum of values, sum of absolute values)``, shape (2,).
    """
    total = torch.zeros(2, dtype=torch.float64)
    for param in model.parameters():
        value = param.detach().double().cpu()
        total += torch.stack([value.sum(), value.abs().sum()])
    return total


@HOOKS.register_module()
class ParamConsistencyHook(Hook):
    """Every ``interval`` iterations, compare parameters across ranks.

    In multi-process training DDP keeps the replicas equal; a silent
    divergence (a rank that skipped a step, different code) would waste the
    run. The check gathers two numbers per rank and raises if they differ
    by more than ``rtol``; it does nothing in a single process.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to
            1000.
        rtol (float): Tolerated relative difference. Defaults to 1e-6.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 1000, rtol: float = 1e-6) -> None:
        self.interval = interval
        self.rtol = rtol

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Compare the fingerprints of all ranks."""
        world_size = get_world_size()
        if world_size == 1 or not self.every_n_train_iters(
                runner, self.interval):
            return
        model = get_ori_model(runner.model)
        device = next(model.parameters()).device
        mine = param_fingerprint(model).to(device)
        prints = torch.stack(all_gather(mine)).cpu()  # (world_size, 2)
        spread = (prints - prints[0]).abs().max()
        scale = prints[0].abs().max().clamp_min(1.0)
        if spread > self.rtol * scale:
            raise RuntimeError(
                f'Parameters differ across ranks at iteration '
                f'{runner.iter + 1}: fingerprints {prints.tolist()}.')
        runner.logger.info(f'Parameters agree across {world_size} ranks at '
                           f'iteration {runner.iter + 1}.')
