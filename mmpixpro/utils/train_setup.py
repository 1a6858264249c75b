# Copyright (c) mmpixpro contributors. All rights reserved.
"""Turn command-line choices into config changes, shared by the tools."""
import warnings
from typing import Optional

import torch
from mmengine.config import Config

AMP_WRAPPER = 'AmpOptimWrapper'


def setup_amp(cfg: Config, enable: Optional[bool] = None) -> Config:
    """Switch mixed precision on or off, falling back to fp32 on CPU.

    With ``enable=True`` the optimiser wrapper becomes ``AmpOptimWrapper``
    with bf16 autocast (no loss scaling needed). A config that asks for AMP
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
    if enable:
        wrapper.type = AMP_WRAPPER
        wrapper.setdefault('dtype', 'bfloat16')
    elif enable is False and wrapper.get('type') == AMP_WRAPPER:
        _to_fp32(wrapper)
    if wrapper.get('type') == AMP_WRAPPER and not torch.cuda.is_available():
        warnings.warn('Mixed precision needs a CUDA device; none found, so '
                      'this run trains in fp32.')
        _to_fp32(wrapper)
    return cfg


def _to_fp32(wrapper: dict) -> None:
    """Make an optimiser-wrapper config a plain fp32 ``OptimWrapper``."""
    wrapper.type = 'OptimWrapper'
    for key in ('dtype', 'loss_scale', 'use_fsdp'):
        wrapper.pop(key, None)


def setup_resume(cfg: Config, resume: Optional[str]) -> Config:
    """Apply ``--resume``: ``'auto'`` (latest in work_dir) or a path.

    Args:
        cfg (Config): The full config; changed in place.
        resume (str, optional): None (no resume), ``'auto'`` or a
            checkpoint path.

    Returns:
        Config: ``cfg``.
    """
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        cfg.resume = True
        cfg.load_from = resume
    return cfg
