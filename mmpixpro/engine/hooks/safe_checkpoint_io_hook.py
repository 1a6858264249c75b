# Copyright (c) mmpixpro contributors. All rights reserved.
"""Atomic checkpoint saving and safe (weights-only) checkpoint loading."""
import logging
import os
import os.path as osp
from typing import Callable

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpixpro.export.state_dict_check import KeyMismatchError
from mmpixpro.registry import HOOKS
from mmpixpro.utils.foreign_checkpoint import map_to_model
from mmpixpro.utils.safe_checkpoint import safe_load

TMP_SUFFIX = '.tmp'


def atomic_saver(save: Callable) -> Callable:
    """Wrap ``Runner.save_checkpoint`` to write a temp file, then rename.

    A crash (pre-emption, full disk) while writing leaves at most a
    ``*.tmp`` file; the checkpoint path holds either the previous complete
    file or the new complete one, never half of one (``os.replace`` is
    atomic on POSIX and Windows within one file system).

    Args:
        save (Callable): The bound ``runner.save_checkpoint``.

    Returns:
        Callable: The same signature, writing atomically to local folders.
    """

    def save_atomically(out_dir: str, filename: str, *args, **kwargs):
        if not osp.isdir(out_dir):  # a remote backend: leave it to mmengine
            return save(out_dir, filename, *args, **kwargs)
        tmp = osp.join(out_dir, filename + TMP_SUFFIX)
        try:
            save(out_dir, filename + TMP_SUFFIX, *args, **kwargs)
            if is_main_process():
                os.replace(tmp, osp.join(out_dir, filename))
        finally:
            if osp.exists(tmp):
                os.remove(tmp)

    return save_atomically


@HOOKS.register_module()
class SafeCheckpointIOHook(Hook):
    """Save checkpoints atomically; load them weights-only, mapping keys.

    Replaces the Runner's ``save_checkpoint`` with :func:`atomic_saver` and
    its ``load_checkpoint`` (used by ``load_from`` and by ``resume``) with
    one that reads through :func:`mmpixpro.utils.safe_load` (refusing files
    that need arbitrary unpickling, with an explanation), recognises
    torchvision, mmpretrain, official-PixPro and mmpixpro layouts, and logs
    which keys were unmatched or missing (a warning when any were).

    Args:
        strict_resume (bool): On resume, require every model key to be in
            the file. Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, strict_resume: bool = True) -> None:
        self.strict_resume = strict_resume

    def before_run(self, runner) -> None:
        """Install the atomic saver and the safe loader on ``runner``."""
        runner.save_checkpoint = atomic_saver(runner.save_checkpoint)
        runner.load_checkpoint = self._loader(runner)

    def _loader(self, runner) -> Callable:
        """Build the replacement of ``runner.load_checkpoint``."""

        def load_checkpoint(filename: str,
                            map_location='cpu',
                            strict: bool = False,
                            revise_keys=None) -> dict:
            checkpoint = safe_load(filename, map_location)
            if not isinstance(checkpoint, dict):
                raise ValueError(f'{filename}: expected a dict checkpoint, '
                                 f'got {type(checkpoint).__name__}')
            runner.call_hook('after_load_checkpoint', checkpoint=checkpoint)
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            mapped = map_to_model(checkpoint, model.state_dict())
            model.load_state_dict(mapped.state_dict, strict=False)
            problems = mapped.unmatched or mapped.missing
            runner.logger.log(logging.WARNING if problems else logging.INFO,
                              mapped.report(filename))
            if problems and (strict or (runner._resume
                                        and self.strict_resume)):
                raise KeyMismatchError(f'loading {filename}', mapped.missing,
                                       mapped.unmatched, [])
            runner._has_loaded = True
            return checkpoint

        return load_checkpoint
