# Copyright (c) mmpixpro contributors. All rights reserved.
"""The Runner of mmpixpro configs: mmengine's, with one mixin per concern."""
from mmengine.runner import Runner

from mmpixpro.registry import RUNNERS
from .batch_lr_scaling import EffectiveBatchLRMixin
from .checkpoint_io import CheckpointIOMixin
from .cpu_distributed import CPUDistributedMixin
from .work_dir_guard import WorkDirGuardMixin


@RUNNERS.register_module()
class SafeRunner(WorkDirGuardMixin, CheckpointIOMixin, CPUDistributedMixin,
                 EffectiveBatchLRMixin, Runner):
    """The Runner of mmpixpro configs (``runner_type='SafeRunner'``).

    mmengine's Runner; each change is an overridden method of one mixin:

    * :class:`WorkDirGuardMixin` (``train``): one live run per work dir
      (a lock a killed run does not leave stuck); no fresh start over an
      earlier run's checkpoints unless ``overwrite_work_dir = True``.
    * :class:`CheckpointIOMixin` (``save_checkpoint``, ``load_checkpoint``,
      ``resume``): atomic saves, verified weights-only loads with foreign
      layouts, warnings for mid-epoch resumes and batch changes.
    * :class:`CPUDistributedMixin` (``setup_env``, ``wrap_model``): gloo and
      DDP without ``device_ids`` for ``--launcher pytorch`` without CUDA.
    * :class:`EffectiveBatchLRMixin` (``scale_lr``): ``auto_scale_lr`` by
      ``gpus x batch x accumulative_counts`` with a linear or sqrt rule.

    Arguments are those of :class:`mmengine.runner.Runner`.
    """


@RUNNERS.register_module()
class PixProRunner(SafeRunner):
    """Deprecated name of :class:`SafeRunner`, kept so that existing
    configs with ``runner_type='PixProRunner'`` still build."""
