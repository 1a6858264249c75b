# Copyright (c) mmpixpro contributors. All rights reserved.
"""Hooks that tests load into tools/train.py through ``custom_imports``.

Only for tests: they record a checksum of every batch and dump each rank's
final state.
"""
import os.path as osp
import time
from typing import Optional

import torch
from mmengine.dist import get_rank
from mmengine.hooks import CheckpointHook, Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.engine import SafeCheckpointHook
from mmpixpro.registry import HOOKS


def tensor_sum(obj) -> float:
    """Sum (float64) of every tensor in a nested structure."""
    if isinstance(obj, torch.Tensor):
        return float(obj.double().sum())
    if isinstance(obj, dict):
        return sum(tensor_sum(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(tensor_sum(v) for v in obj)
    return 0.0


@HOOKS.register_module()
class TestInputChecksumHook(Hook):
    """Log the sum of the batch's images and boxes as ``input_sum``."""

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        boxes = [s.crop_boxes for s in data_batch['data_samples']]
        runner.message_hub.update_scalar(
            'train/input_sum', tensor_sum(data_batch['inputs']) +
            tensor_sum(boxes))


@HOOKS.register_module()
class TestDumpStateHook(Hook):
    """Save each rank's parameters and norm-layer types after training."""

    def after_run(self, runner) -> None:
        model = get_ori_model(runner.model)
        norms = sorted({type(m).__name__ for m in model.modules()
                        if 'Norm' in type(m).__name__})
        torch.save({'state_dict': model.state_dict(), 'norms': norms,
                    'wrapper': type(runner.model).__name__},
                   osp.join(runner.work_dir, f'rank{get_rank()}.pth'))


@HOOKS.register_module()
class TestSaveMarkerHook(Hook):
    """Append the iteration to ``work_dir/saves_started`` when a save
    begins, then wait ``delay`` seconds: a window in which a test kills the
    process between mmengine's removal of the old checkpoint and the
    writing of the new one.

    Args:
        delay (float): Seconds to wait before the file is written.
    """

    def __init__(self, delay: float = 0.3) -> None:
        self.delay = delay

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        with open(osp.join(runner.work_dir, 'saves_started'), 'a') as f:
            f.write(f'{runner.iter + 1}\n')
        time.sleep(self.delay)


@HOOKS.register_module()
class TestMmengineOrderCheckpointHook(SafeCheckpointHook):
    """Plain message hub, but mmengine's save order (old removed first):
    shows what the kill test catches."""

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        CheckpointHook._save_checkpoint_with_step(self, runner, step, meta)
