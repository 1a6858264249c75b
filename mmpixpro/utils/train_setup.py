# Copyright (c) mmpixpro contributors. All rights reserved.
"""Turn command-line choices into config changes, shared by the tools."""
import os.path as osp
import warnings
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log

from mmpixpro.checkpoint import latest_checkpoint

# mixed-precision wrapper type -> its fp32 counterpart (the Guarded* pair:
# deprecated aliases of the NonFiniteSkip* pair, for existing configs)
FP32_OF = {
    'AmpOptimWrapper': 'OptimWrapper',
    'NonFiniteSkipAmpOptimWrapper': 'NonFiniteSkipOptimWrapper',
    'GuardedAmpOptimWrapper': 'GuardedOptimWrapper'
}
AMP_OF = {fp32: amp for amp, fp32 in FP32_OF.items()}


def setup_amp(cfg: Config, enable: Optional[bool] = None) -> Config:
    """Switch mixed precision on or off, falling back to fp32 on CPU.

    With ``enable=True`` the optimiser wrapper becomes its mixed-precision
    counterpart (``NonFiniteSkipOptimWrapper`` ->
    ``NonFiniteSkipAmpOptimWrapper``, ``OptimWrapper`` ->
    ``AmpOptimWrapper``) with bf16 autocast (no loss
    scaling needed). A config that asks for AMP
    on a machine without CUDA runs in fp32 with a warning, since mmengine's
    AMP wrapper only supports accelerators.

    Args:
        cfg (Config): The full config; changed in place.
        enable (bool, optional): True/False to force AMP on/off; None keeps
            the config's choice.

    Returns:
        Config: ``cfg``.
    """
    wrapper = cfg.optim_wrapper
    kind = wrapper.get('type', 'OptimWrapper')
    if enable and kind in AMP_OF:
        wrapper.type = AMP_OF[kind]
        wrapper.setdefault('dtype', 'bfloat16')
    elif enable is False and kind in FP32_OF:
        _to_fp32(wrapper)
    if wrapper.get('type') in FP32_OF and not torch.cuda.is_available():
        warnings.warn('Mixed precision needs a CUDA device; none found, so '
                      'this run trains in fp32.')
        _to_fp32(wrapper)
    return cfg


def _to_fp32(wrapper: dict) -> None:
    """Make a mixed-precision wrapper config its fp32 counterpart."""
    wrapper.type = FP32_OF[wrapper.type]
    for key in ('dtype', 'loss_scale', 'use_fsdp'):
        wrapper.pop(key, None)


class NothingToResumeError(FileNotFoundError):
    """``--resume`` was asked for and there is no checkpoint."""


def setup_resume(cfg: Config, resume: Optional[str],
                 allow_fresh: bool = False) -> Config:
    """Apply ``--resume``: ``'auto'`` (latest in work_dir) or a path.

    mmengine starts from scratch without a word when ``resume=True`` finds
    no checkpoint; here that is an error unless ``allow_fresh`` (the
    ``--resume-or-start`` option of ``tools/train.py``, for jobs that are
    re-queued) says a fresh start is fine.

    Args:
        cfg (Config): The full config, ``work_dir`` set; changed in place.
        resume (str, optional): None (no resume), ``'auto'`` or a
            checkpoint path.
        allow_fresh (bool): With ``'auto'``, start from scratch when the
            work dir holds no checkpoint. Defaults to False.

    Returns:
        Config: ``cfg``.

    Raises:
        NothingToResumeError: If there is no checkpoint to resume.
    """
    if resume is None:
        return cfg
    if resume != 'auto' and not osp.isfile(resume):
        raise NothingToResumeError(
            f'--resume {resume}: the file does not exist')
    if resume == 'auto' and latest_checkpoint(cfg.work_dir) is None:
        if not allow_fresh:
            raise NothingToResumeError(
                f'--resume: no checkpoint to resume in {cfg.work_dir!r} (no '
                '"last_checkpoint" file naming an existing checkpoint). To '
                'start a fresh run, drop --resume; for a job that may or may '
                'not have a checkpoint, use --resume-or-start.')
        print_log(f'No checkpoint in {cfg.work_dir!r}: starting from scratch '
                  '(--resume-or-start).', logger='current')
        return cfg
    cfg.resume = True
    cfg.load_from = None if resume == 'auto' else resume
    return cfg


def setup_sync_bn(cfg: Config, cuda: Optional[bool] = None) -> Config:
    """Keep SyncBN on GPUs; fall back to per-rank BN on CPU.

    torch's ``SyncBatchNorm`` refuses CPU tensors in distributed mode, so a
    multi-process CPU run (gloo) with ``sync_bn`` set would fail at the
    first forward. Without CUDA, ``cfg.sync_bn`` is set to None with a
    warning: every rank then normalises with its own batch statistics (as
    single-GPU BN does) and keeps its own running statistics; rank 0's are
    the ones checkpointed. On GPUs nothing changes.

    Args:
        cfg (Config): The full config; changed in place.
        cuda (bool, optional): Whether CUDA is used; None asks torch.

    Returns:
        Config: ``cfg``.
    """
    cuda = torch.cuda.is_available() if cuda is None else cuda
    if cfg.get('sync_bn') and not cuda:
        warnings.warn(f'sync_bn={cfg.sync_bn!r} needs CUDA (torch '
                      'SyncBatchNorm has no CPU implementation); without a '
                      'GPU every rank uses its own BN statistics.')
        cfg.sync_bn = None
    return cfg
