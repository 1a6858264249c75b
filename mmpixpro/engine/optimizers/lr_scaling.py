# Copyright (c) mmpixpro contributors. All rights reserved.
"""Learning-rate rules for other batch sizes than the recipe's."""
import math

LR_RULES = ('linear', 'sqrt')


def effective_batch_size(world_size: int, batch_per_gpu: int,
                         counts: int = 1) -> int:
    """Images per optimiser step: ``gpus x batch per GPU x k``.

    Args:
        world_size (int): Number of processes (GPUs).
        batch_per_gpu (int): ``train_dataloader.batch_size``.
        counts (int): ``k``, micro-batches accumulated per optimiser step.
            Defaults to 1.

    Returns:
        int: The effective batch ``B``.
    """
    return world_size * batch_per_gpu * counts


def lr_scale_factor(batch_size: int,
                    base_batch_size: int,
                    rule: str = 'linear') -> float:
    """Factor applied to the configured lr (the lr at ``base_batch_size``).

    * ``'linear'``: ``B / B0``. With lr 1.0 at ``B0 = 256`` this is the
      paper's ``lr = 1.0 x B / 256`` (4.0 at ``B = 1024``).
    * ``'sqrt'``: ``sqrt(B / B0)``. With lr 4.0 at ``B0 = 1024`` this is the
      PixPro authors' advice for small batches with LARS,
      ``lr = 4 x sqrt(B / 1024)`` (2.0 at 256, 1.0 at 64).

    Args:
        batch_size (int): The effective batch ``B``
            (:func:`effective_batch_size`).
        base_batch_size (int): ``B0``, the batch the configured lr is for.
        rule (str): ``'linear'`` or ``'sqrt'``. Defaults to ``'linear'``.

    Returns:
        float: The factor.
    """
    if rule not in LR_RULES:
        raise ValueError(f'auto_scale_lr.rule must be one of {LR_RULES}, '
                         f'got {rule!r}')
    if batch_size <= 0 or base_batch_size <= 0:
        raise ValueError('batch sizes must be positive, got '
                         f'{batch_size} and base {base_batch_size}')
    ratio = batch_size / base_batch_size
    return ratio if rule == 'linear' else math.sqrt(ratio)
