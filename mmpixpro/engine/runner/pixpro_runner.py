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

from mmpixpro.engine.optimizers import (MomentumPerStepMixin,
                                        accumulative_counts,
                                        effective_batch_size,
                                        lr_scale_factor, optim_wrappers)
from mmpixpro.export import (TMP_SUFFIX, KeyMismatchError, map_to_model,
                             safe_load)
from mmpixpro.models.utils import momentum_encoders
from mmpixpro.registry import RUNNERS


@RUNNERS.register_module()
class PixProRunner(Runner):
    """The Runner of mmpixpro configs (``runner_type='PixProRunner'``).

    Five changes to mmengine's Runner, each through an overridden method:

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
    * :meth:`scale_lr` (``auto_scale_lr``) scales by the effective batch,
      ``gpus x batch per GPU x accumulative_counts`` (mmengine's ignores
      the accumulation), with the rule ``auto_scale_lr.rule``: ``'linear'``
      (default, the paper's) or ``'sqrt'`` (the authors' advice for small
      batches with LARS); see :func:`mmpixpro.engine.lr_scale_factor`.
    * :meth:`build_optim_wrapper` refuses gradient accumulation with a
      wrapper that would step the momentum copies at every micro-batch.

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

    def build_optim_wrapper(self, optim_wrapper):
        """mmengine's build; accumulation needs one EMA step per update.

        Args:
            optim_wrapper: The wrapper or its config.

        Returns:
            OptimWrapper | OptimWrapperDict: The built wrapper.
        """
        wrapper = super().build_optim_wrapper(optim_wrapper)
        plain = [type(w).__name__ for w in optim_wrappers(wrapper)
                 if not isinstance(w, MomentumPerStepMixin)]
        if (plain and accumulative_counts(wrapper) > 1
                and momentum_encoders(get_ori_model(self.model))):
            raise TypeError(
                f'accumulative_counts > 1 with {plain}: the momentum copies '
                'would take one EMA step per micro-batch instead of one per '
                "optimiser step. Use optim_wrapper type 'GuardedOptimWrapper' "
                "or 'GuardedAmpOptimWrapper'.")
        return wrapper

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
        loader = self._train_dataloader
        per_gpu = (loader['batch_size'] if isinstance(loader, dict) else
                   loader.batch_size)
        counts = accumulative_counts(optim_wrapper)
        batch = effective_batch_size(self.world_size, per_gpu, counts)
        rule = auto_scale_lr.get('rule', 'linear')
        base = auto_scale_lr['base_batch_size']
        factor = lr_scale_factor(batch, base, rule)
        self.logger.info(
            f'auto_scale_lr: effective batch {batch} = {self.world_size} '
            f'GPU(s) x {per_gpu} x {counts} accumulated; lr x {factor:.6g} '
            f'({rule} rule, base batch {base}).')
        for wrapper in optim_wrappers(optim_wrapper):
            for group in wrapper.optimizer.param_groups:
                group['lr'] = group['lr'] * factor
