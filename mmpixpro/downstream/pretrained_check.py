# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check, from the built model, that the pretrained weights really landed.

mmengine's ``Pretrained`` init loads non-strictly and only logs missing
keys, so a renamed key or a wrong prefix leaves layers random without an
error. :func:`check_pretrained_loaded` compares every module that has a
``Pretrained`` init with its file after initialisation;
:class:`PretrainedCheckHook` runs it in the Runner before the first
iteration (``before_train`` comes after the Runner initialised the
weights) and stops the run when a tensor of the file did not arrive.
"""
import json
import math
import os.path as osp
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS
from mmpretrain.utils import get_ori_model
from torch import nn

from mmpixpro.checkpoint import load_state_dict, strip_prefix


@dataclass
class PretrainedReport:
    """What the ``Pretrained`` inits of a model took from their files.

    Args:
        files (dict[str, int]): Tensors in each file (under the prefixes
            used).
        loaded (dict[str, int]): Tensors equal to the file, per module.
        differing (list[str]): ``module.key`` whose value differs from the
            file (not loaded).
        unused (list[str]): ``file:key`` that no module took.
        not_in_file (dict[str, list[str]]): Per module, its keys the file
            lacks (kept as initialised).
        resampled (list[str]): ``module.key`` equal to the file's tensor
            once re-sampled as the module does at load (mmseg's ViT
            ``pos_embed`` at another input size); counted as loaded.
    """
    files: Dict[str, int] = field(default_factory=dict)
    loaded: Dict[str, int] = field(default_factory=dict)
    differing: List[str] = field(default_factory=list)
    unused: List[str] = field(default_factory=list)
    not_in_file: Dict[str, List[str]] = field(default_factory=dict)
    resampled: List[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every tensor of every file landed, unchanged."""
        return bool(self.files) and not self.differing and not self.unused

    def require_complete(self) -> None:
        """Raise ``RuntimeError`` with the summary unless complete."""
        if not self.complete:
            raise RuntimeError('Pretrained weights did not load:\n' +
                               self.summary())

    def summary(self) -> str:
        """One line per module and the problems, for logs."""
        lines = [f'{module}: {count} tensors equal to the pretrained file'
                 for module, count in self.loaded.items()]
        if self.resampled:
            lines.append(f'equal once re-sampled as the model does at load: '
                         f'{self.resampled}')
        for module, keys in self.not_in_file.items():
            if keys:
                lines.append(f'{module}: {len(keys)} keys not in the file '
                             f'(kept as initialised), e.g. {keys[:3]}')
        if self.differing:
            lines.append(f'NOT loaded (value differs from the file): '
                         f'{self.differing[:5]} ({len(self.differing)})')
        if self.unused:
            lines.append(f'NOT used by any module: {self.unused[:5]} '
                         f'({len(self.unused)})')
        return '\n'.join(lines)


def pretrained_modules(model: nn.Module) -> List[tuple]:
    """Modules with ``init_cfg=dict(type='Pretrained', ...)``.

    Args:
        model (nn.Module): A built mmengine model.

    Returns:
        list[tuple[str, nn.Module, dict]]: ``(name, module, init_cfg)``.
    """
    found = []
    for name, module in model.named_modules():
        inits = getattr(module, 'init_cfg', None)
        for init in inits if isinstance(inits, list) else [inits]:
            if isinstance(init, dict) and init.get('type') == 'Pretrained':
                found.append((name or 'model', module, init))
    return found


def resampled_as_loaded(module: nn.Module, key: str, value: torch.Tensor,
                        target: torch.Tensor) -> Optional[torch.Tensor]:
    """The file's ``pos_embed`` as a ViT that re-samples it at load holds
    it, or None.

    mmseg's ``VisionTransformer.init_weights`` resizes a (1, 1 + h w, C)
    ``pos_embed`` of another grid with its ``resize_pos_embed`` (class
    token kept, square grids, ``interpolate_mode``); the same call gives
    what the model must hold.

    Args:
        module (nn.Module): The module with the ``Pretrained`` init.
        key (str): The key in ``module``'s state_dict.
        value (Tensor): The file's tensor.
        target (Tensor): The module's tensor.

    Returns:
        Tensor | None: The re-sampled tensor, or None where the module
        does not re-sample this key.
    """
    resize = getattr(module, 'resize_pos_embed', None)
    if (key != 'pos_embed' or not callable(resize) or value.ndim != 3
            or target.ndim != 3 or value.shape == target.shape):
        return None
    src, dst = (math.isqrt(t.shape[1] - 1) for t in (value, target))
    return resize(value.to(target.dtype), (dst, dst), (src, src),
                  getattr(module, 'interpolate_mode', 'bicubic'))


def check_pretrained_loaded(model: nn.Module) -> PretrainedReport:
    """Compare every ``Pretrained`` module with its file.

    Call after ``model.init_weights()``.

    Args:
        model (nn.Module): The initialised model.

    Returns:
        PretrainedReport: Counts and every problem found.
    """
    report = PretrainedReport()
    taken = defaultdict(set)
    file_keys = {}
    files = {}  # C4 models read one file from two modules: load it once
    for name, module, init in pretrained_modules(model):
        path, prefix = init['checkpoint'], init.get('prefix', '')
        if path not in files:
            files[path] = load_state_dict(path)
        weights = files[path]
        if prefix:
            weights = strip_prefix(weights, prefix)
        tag = f'{path}:{prefix}'
        file_keys[tag] = set(weights)
        report.files[tag] = len(weights)
        state = module.state_dict()
        equal = 0
        for key, value in state.items():
            if key not in weights:
                continue
            value = value.detach().cpu()
            expected = weights[key].to(value.dtype)
            resampled = resampled_as_loaded(module, key, expected, value)
            if resampled is not None:
                expected = resampled
            if torch.equal(value, expected):
                equal += 1
                taken[tag].add(key)
                if resampled is not None:
                    report.resampled.append(f'{name}.{key}')
            else:
                report.differing.append(f'{name}.{key}')
        report.loaded[name] = equal
        report.not_in_file[name] = [k for k in state if k not in weights]
    for tag, keys in file_keys.items():
        report.unused += [f'{tag}{k}' for k in sorted(keys - taken[tag])]
    return report


@HOOKS.register_module()
class PretrainedCheckHook(Hook):
    """Stop before training when pretrained weights did not load.

    Writes ``pretrained_check.json`` (the :class:`PretrainedReport`) into
    the work dir and logs its summary.

    Args:
        strict (bool): Raise when a file tensor is unused or differs.
            Defaults to True.
    """
    priority = 'VERY_HIGH'

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict
        self.report = None

    def before_train(self, runner) -> None:
        """Check the freshly initialised model (not a resumed one)."""
        if runner.cfg.get('resume') or runner.cfg.get('load_from'):
            print_log('PretrainedCheckHook: skipped, the weights come from '
                      'load_from/resume.', logger='current')
            return
        model = get_ori_model(runner.model)
        self.report = check_pretrained_loaded(model)
        with open(osp.join(runner.work_dir, 'pretrained_check.json'),
                  'w') as f:
            json.dump(asdict(self.report), f, indent=1)
        print_log('Pretrained weights:\n' + self.report.summary(),
                  logger='current')
        if not self.report.files:
            raise RuntimeError('PretrainedCheckHook: the model has no '
                               "init_cfg of type 'Pretrained'.")
        if self.strict:
            self.report.require_complete()
