# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmengine's Runner with safe checkpoint I/O and CPU process groups."""
import logging
import os
import os.path as osp
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.dist import is_main_process
from mmengine.runner import EpochBasedTrainLoop, Runner
from mmpretrain.utils import get_ori_model

from mmpixpro.export import (TMP_SUFFIX, KeyMismatchError, map_to_model,
                             safe_load)
from mmpixpro.registry import RUNNERS


@RUNNERS.register_module()
class PixProRunner(Runner):
    """The Runner of mmpixpro configs (``runner_type='PixProRunner'``).

    Three changes to mmengine's Runner, each through an overridden method:

    * :meth:`save_checkpoint` writes ``<name>.tmp`` and renames it, so a
      crash (pre-emption, full disk) while writing leaves the previous
      complete file in place, never half of one (``os.replace`` is atomic
      within one file system). Remote back-ends are left to mmengine.
    * :meth:`load_checkpoint` (used by ``load_from`` and ``resume``) reads
      through :func:`mmpixpro.export.safe_load` (weights only; files that
      need arbitrary unpickling are refused with an explanation), maps
      torchvision, mmpretrain, official-PixPro and mmpixpro layouts onto the
      model and logs unmatched/missing keys. On resume every model key must
      be in the file unless the config sets ``strict_resume = False``.
    * ``--launcher pytorch`` on a machine without CUDA: :meth:`setup_env`
      creates a gloo process group (mmengine's ``init_dist`` needs CUDA) and
      :meth:`wrap_model` builds DDP without ``device_ids``.

    Arguments are those of :class:`mmengine.runner.Runner`.
    """

    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        """As mmengine's, written to a temporary file and renamed."""
        if not osp.isdir(out_dir):  # a remote back-end: mmengine's way
            return super().save_checkpoint(out_dir, filename, *args,
                                           **kwargs)
        tmp = osp.join(out_dir, filename + TMP_SUFFIX)
        try:
            super().save_checkpoint(out_dir, filename + TMP_SUFFIX, *args,
                                    **kwargs)
            if is_main_process():
                os.replace(tmp, osp.join(out_dir, filename))
        finally:
            if osp.exists(tmp):
                os.remove(tmp)

    def load_checkpoint(self,
                        filename: str,
                        map_location='cpu',
                        strict: bool = False,
                        revise_keys: Optional[list] = None) -> dict:
        """Load weights only, mapping foreign layouts onto the model.

        Args:
            filename (str): Local checkpoint file.
            map_location (str | callable): As for ``torch.load``.
            strict (bool): Require every model key and use every file key.
            revise_keys (list, optional): Unused (the layout is detected).

        Returns:
            dict: The loaded checkpoint.
        """
        checkpoint = safe_load(filename, map_location)
        if not isinstance(checkpoint, dict):
            raise ValueError(f'{filename}: expected a dict checkpoint, got '
                             f'{type(checkpoint).__name__}')
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = get_ori_model(self.model)
        mapped = map_to_model(checkpoint, model.state_dict(), filename)
        model.load_state_dict(mapped.state_dict, strict=False)
        problems = mapped.unmatched or mapped.missing
        self.logger.log(logging.WARNING if problems else logging.INFO,
                        mapped.report(filename))
        strict_resume = self._resume and self.cfg.get('strict_resume', True)
        if problems and (strict or strict_resume):
            raise KeyMismatchError(f'loading {filename}', mapped.missing,
                                   mapped.unmatched, [])
        self._has_loaded = True
        return checkpoint

    def resume(self, filename: str, *args, **kwargs) -> None:
        """mmengine's resume; warns when an epoch-based run resumes from a
        checkpoint saved in the middle of an epoch."""
        super().resume(filename, *args, **kwargs)
        loop = self.train_loop
        if not isinstance(loop, EpochBasedTrainLoop):
            return
        per_epoch = len(loop.dataloader)
        done = loop.iter - loop.epoch * per_epoch
        if 0 < done < per_epoch:
            self.logger.warning(
                f'{filename} was saved at iteration {loop.iter}, {done} of '
                f'{per_epoch} iterations into epoch {loop.epoch + 1}. '
                "mmengine's EpochBasedTrainLoop restarts that epoch from its "
                f'first batch: this run trains {done} iterations more than '
                f'{loop.max_iters}, the log counts past it and the schedule '
                'ends early. Resume from an end-of-epoch checkpoint, or use '
                'IterBasedTrainLoop, whose mid-epoch resumes are exact.')

    def setup_env(self, env_cfg: dict) -> None:
        """Create a gloo process group for CPU runs, then mmengine's setup."""
        if (self.distributed and not torch.cuda.is_available()
                and not dist.is_initialized()):
            # env:// from the variables torchrun sets
            dist.init_process_group(backend='gloo')
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: Optional[dict], model):
        """DDP without ``device_ids`` when distributed on CPU."""
        if (self.distributed and model_wrapper_cfg is None
                and not torch.cuda.is_available()):
            model_wrapper_cfg = dict(
                type='MMDistributedDataParallel',
                device_ids=None,  # CPU modules take no device ids
                broadcast_buffers=False,
                find_unused_parameters=self.cfg.get(
                    'find_unused_parameters', False))
        return super().wrap_model(model_wrapper_cfg, model)
