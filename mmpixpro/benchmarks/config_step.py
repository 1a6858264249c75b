# Copyright (c) mmpixpro contributors. All rights reserved.
"""Train steps of models built from configs, ours or another package's
(``mmpretrain::byol/...``), as the Runner would build them."""
import copy
from typing import Callable, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.hub import get_config
from mmengine.logging import MessageHub
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import DefaultScope
from torch import nn

from mmpixpro.registry import MODELS
from mmpixpro.utils import setup_amp


def load_config(config: str) -> Config:
    """Read a config file, or a config another package ships.

    Args:
        config (str): A path, or ``package::rel/path.py`` (e.g.
            ``mmpretrain::byol/byol_resnet50_16xb256-coslr-200e_in1k.py``),
            found by mmengine's own lookup (:func:`mmengine.hub.get_config`:
            the package's ``.mim/configs``).

    Returns:
        Config: The config.

    Raises:
        FileNotFoundError: If there is no such file.
    """
    return get_config(config) if '::' in config else Config.fromfile(config)


def build_from_config(config: str,
                      scope: str,
                      overrides: Optional[dict] = None,
                      device: torch.device = torch.device('cpu'),
                      amp: Optional[bool] = None
                      ) -> Tuple[nn.Module, OptimWrapper]:
    """Build a model and its optimiser wrapper from a config file.

    A ``compile`` key in the config compiles ``model.train_step`` as
    mmengine's Runner does.

    Args:
        config (str): Config path (``mmpretrain::byol/...`` works, see
            :func:`load_config`).
        scope (str): Registry scope to build in (``'mmpixpro'`` or
            ``'mmpretrain'``).
        overrides (dict, optional): ``--cfg-options``-style overrides.
        device (torch.device): Target device.
        amp (bool, optional): Force bf16 AMP on (True) or off (False);
            None keeps the config's choice (fp32 off CUDA).

    Returns:
        tuple: ``(model, optim_wrapper)``.
    """
    cfg = load_config(config)
    if overrides:
        cfg.merge_from_dict(overrides)
    setup_amp(cfg, amp if device.type == 'cuda' else False)
    with DefaultScope.overwrite_default_scope(scope):
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
        model.init_weights()
        model.to(device)
        optim_wrapper = build_optim_wrapper(model, copy.deepcopy(
            cfg.optim_wrapper))
    compile_cfg = cfg.get('compile')
    if compile_cfg:
        # what mmengine's Runner does with ``cfg.compile``
        model.train_step = torch.compile(
            model.train_step,
            **(compile_cfg if isinstance(compile_cfg, dict) else {}))
    return model, optim_wrapper


def model_step(model: nn.Module, optim_wrapper: OptimWrapper, data: dict,
               max_iters: int = 1000) -> Callable[[], float]:
    """A closure running ``model.train_step`` on ``data``.

    mmpretrain's momentum encoders read ``iter``/``max_iters`` from the
    MessageHub (they assume a Runner), so the closure keeps them there.

    Args:
        model (nn.Module): A model built by :func:`build_from_config`.
        optim_wrapper (OptimWrapper): Its optimiser wrapper.
        data (dict): The batch every step trains on.
        max_iters (int): ``max_iters`` of the MessageHub. Defaults to 1000.

    Returns:
        Callable[[], float]: One train step, returning its loss.
    """
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', max_iters)
    counter = {'iter': 0}

    def step() -> float:
        hub.update_info('iter', counter['iter'])
        counter['iter'] += 1
        losses = model.train_step(data, optim_wrapper)
        return float(losses['loss'].detach())

    model.train()
    return step
