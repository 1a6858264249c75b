# Copyright (c) mmpixpro contributors. All rights reserved.
"""The Runner's checkpoint saves and loads, through :mod:`mmpixpro.checkpoint`.
"""
import logging
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.runner import EpochBasedTrainLoop
from mmpretrain.utils import get_ori_model

from mmpixpro.checkpoint import (KeyMismatchError, atomic_target,
                                 latest_checkpoint, map_to_model, safe_load)
from .batch_lr_scaling import train_batch

BATCH_META = 'train_batch'  # meta entry: how the run that saved batched


class CheckpointIOMixin:
    """Atomic saves, verified weights-only loads with foreign layouts.

    * :meth:`save_checkpoint` writes ``<name>.tmp`` and renames it
      (:func:`mmpixpro.checkpoint.atomic_target`), so a crash (pre-emption,
      full disk) while writing leaves the previous complete file in place;
      a full disk is named as such. The meta records how the run batched.
      Remote back-ends are left to mmengine.
    * :meth:`load_checkpoint` (``load_from`` and ``resume``) reads through
      :func:`mmpixpro.checkpoint.safe_load` (CRC-verified, weights only,
      refusals explained), maps torchvision, mmpretrain, official-PixPro
      and mmpixpro layouts onto the model and logs what did not fit. On
      resume every model key must be in the file unless the config sets
      ``strict_resume = False``, and a change of batch size is warned of.
    * :meth:`load_or_resume` finds the checkpoint of ``resume=True`` with
      :func:`mmpixpro.checkpoint.latest_checkpoint` (the one reader of
      ``last_checkpoint``); :meth:`resume` warns when an epoch-based run
      resumes from a checkpoint saved in the middle of an epoch.
    """

    def load_or_resume(self) -> None:
        """mmengine's, resuming the checkpoint ``last_checkpoint`` names."""
        if self._resume and self._load_from is None and not self._has_loaded:
            self._load_from = latest_checkpoint(self.work_dir)
            if self._load_from is None:
                self.logger.info(f'Nothing to resume in {self.work_dir}: '
                                 'starting from scratch.')
                self._resume = False
        super().load_or_resume()

    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        """As mmengine's, written to a temporary file and renamed."""
        if osp.isdir(out_dir) and self._train_loop is not None:
            kwargs['meta'] = {**(kwargs.get('meta') or {}),
                              BATCH_META: train_batch(self)}
        if not osp.isdir(out_dir):  # a remote back-end: mmengine's way
            return super().save_checkpoint(out_dir, filename, *args,
                                           **kwargs)
        path = osp.join(out_dir, filename)
        with atomic_target(path, is_main_process,
                           latest_checkpoint(self.work_dir)) as tmp:
            super().save_checkpoint(out_dir, osp.basename(tmp), *args,
                                    **kwargs)

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
        if self._resume:
            self._warn_on_batch_change(filename, checkpoint)
        self._has_loaded = True
        return checkpoint

    def _warn_on_batch_change(self, filename: str, checkpoint: dict) -> None:
        """Warn when the resumed run batches otherwise than the saved one."""
        saved = (checkpoint.get('meta') or {}).get(BATCH_META)
        now = train_batch(self)
        if not saved or saved == now:
            return
        changed = ', '.join(f'{key} {saved.get(key)} -> {value}'
                            for key, value in now.items()
                            if saved.get(key) != value)
        self.logger.warning(
            f'Resuming {filename} with another batch: {changed}. The '
            'learning rate, the momentum schedule and the iteration count '
            'of the resumed run follow the new batch, so it does not '
            'continue the saved run exactly. Resume with the saved batch '
            'settings to continue it.')

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
