# Copyright (c) mmpixpro contributors. All rights reserved.
from .batch_lr_scaling import EffectiveBatchLRMixin, train_batch
from .checkpoint_io import CheckpointIOMixin
from .cpu_distributed import CPUDistributedMixin
from .safe_runner import PixProRunner, SafeRunner
from .work_dir_guard import (WorkDirGuardMixin, WorkDirInUseError,
                             WorkDirLock, WorkDirNotEmptyError)

__all__ = [
    'SafeRunner', 'PixProRunner', 'WorkDirGuardMixin', 'WorkDirInUseError',
    'WorkDirLock', 'WorkDirNotEmptyError', 'CheckpointIOMixin',
    'CPUDistributedMixin', 'EffectiveBatchLRMixin', 'train_batch'
]
