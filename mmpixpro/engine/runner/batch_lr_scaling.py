# Copyright (c) mmpixpro contributors. All rights reserved.
"""``auto_scale_lr`` by the effective batch, with a choice of rule."""
from typing import Dict

from mmpixpro.engine.optimizers import (accumulative_counts,
                                        effective_batch_size,
                                        lr_scale_factor, optim_wrappers)


def train_batch(runner, optim_wrapper=None) -> Dict[str, int]:
    """How a run batches: processes, batch per process, accumulation.

    Args:
        runner: The Runner (its train dataloader built or a config dict).
        optim_wrapper (optional): The wrapper(s); defaults to the
            Runner's.

    Returns:
        dict[str, int]: ``world_size``, ``batch_per_gpu``,
        ``accumulative_counts``.
    """
    loader = runner._train_dataloader if isinstance(
        runner._train_dataloader, dict) else runner.train_dataloader
    per_gpu = (loader['batch_size'] if isinstance(loader, dict) else
               loader.batch_size)
    wrapper = runner.optim_wrapper if optim_wrapper is None else optim_wrapper
    return dict(world_size=runner.world_size, batch_per_gpu=per_gpu,
                accumulative_counts=accumulative_counts(wrapper))


class EffectiveBatchLRMixin:
    """``scale_lr`` by ``gpus x batch per GPU x accumulative_counts``
    (mmengine's ignores the accumulation), with ``auto_scale_lr.rule``:
    ``'linear'`` (default, the paper's) or ``'sqrt'`` (the authors' advice
    for small batches with LARS); see
    :func:`mmpixpro.engine.lr_scale_factor`."""

    def scale_lr(self, optim_wrapper, auto_scale_lr=None) -> None:
        """Scale every group's lr for the effective batch.

        ``lr <- lr x f(B / base_batch_size)``, ``B = gpus x batch per GPU x
        accumulative_counts``, ``f`` the identity (``rule='linear'``) or
        the square root (``rule='sqrt'``). Called by mmengine after the
        wrapper is built and before the schedulers are (they store the
        scaled lr).

        Args:
            optim_wrapper (OptimWrapper | OptimWrapperDict): The wrapper(s).
            auto_scale_lr (dict, optional): ``enable``, ``base_batch_size``
                and optionally ``rule``. Nothing happens unless enabled.
        """
        if not auto_scale_lr or not auto_scale_lr.get('enable', False):
            return
        if 'base_batch_size' not in auto_scale_lr:
            raise KeyError('auto_scale_lr needs base_batch_size, the batch '
                           'the configured lr is for.')
        batching = train_batch(self, optim_wrapper)
        batch = effective_batch_size(*batching.values())
        rule = auto_scale_lr.get('rule', 'linear')
        base = auto_scale_lr['base_batch_size']
        factor = lr_scale_factor(batch, base, rule)
        self.logger.info(
            f'auto_scale_lr: effective batch {batch} = '
            f'{batching["world_size"]} GPU(s) x {batching["batch_per_gpu"]} '
            f'x {batching["accumulative_counts"]} accumulated; lr x '
            f'{factor:.6g} ({rule} rule, base batch {base}).')
        for wrapper in optim_wrappers(optim_wrapper):
            for group in wrapper.optimizer.param_groups:
                group['lr'] = group['lr'] * factor
