# Copyright (c) mmpixpro contributors. All rights reserved.
"""Timing of train steps and of the data pipeline, for side-by-side tables.

Every model is timed in the same process, on the same device, with the same
synthetic batch: two uint8 views of ``size x size`` and crop boxes (which
the baselines ignore). Warm-up steps are excluded and the device is
synchronised around the timed steps.
"""
import copy
import time
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional

import torch
import torchvision
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample
from torch import nn


@dataclass
class StepResult:
    """What one benchmarked model gives.

    Args:
        name (str): Row label.
        img_per_s (float): Images per second (an image = its two views).
        ms_per_step (float): Mean wall time of a timed step.
        peak_mem_mib (float, optional): Peak device memory (CUDA only).
        loss (float): Loss of the last step (a sanity value).
    """
    name: str
    img_per_s: float
    ms_per_step: float
    peak_mem_mib: Optional[float]
    loss: float


def synthetic_batch(batch: int, size: int, seed: int = 0) -> dict:
    """A data batch as the dataloader gives it: two uint8 views + boxes.

    Args:
        batch (int): Images per view.
        size (int): Crop size.
        seed (int): Seed of the random pixels and boxes.

    Returns:
        dict: ``inputs`` (two (B, 3, S, S) uint8 tensors) and
        ``data_samples`` (``crop_boxes`` of shape (2, 4) each).
    """
    gen = torch.Generator().manual_seed(seed)
    inputs = [
        torch.randint(0, 256, (batch, 3, size, size),
                      generator=gen).to(torch.uint8) for _ in range(2)
    ]
    samples = []
    for _ in range(batch):
        ul = torch.rand(2, 2, generator=gen) * 0.4
        boxes = torch.cat([ul, ul + 0.5], dim=1)  # (2, 4)
        sample = DataSample()
        sample.set_field(boxes, 'crop_boxes')
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def time_steps(name: str, step: Callable[[], float], batch: int,
               device: torch.device, steps: int, warmup: int) -> StepResult:
    """Time ``step`` (which returns the loss) ``steps`` times after warm-up.

    Args:
        name (str): Row label.
        step (Callable[[], float]): One train step.
        batch (int): Images per step.
        device (torch.device): The device (for synchronisation/memory).
        steps (int): Timed steps.
        warmup (int): Untimed steps first.

    Returns:
        StepResult: The measurement.
    """
    for _ in range(warmup):
        step()
    _sync(device)
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    loss = float('nan')
    for _ in range(steps):
        loss = step()
    _sync(device)
    elapsed = (time.perf_counter() - start) / steps
    peak = (
        torch.cuda.max_memory_allocated(device) /
        2**20 if device.type == 'cuda' else None)
    return StepResult(name, batch / elapsed, elapsed * 1e3, peak, loss)


def resolve_config_path(config: str) -> str:
    """Resolve ``'package::rel/path.py'`` to the package's shipped config.

    Args:
        config (str): A path, or ``package::path`` (e.g. ``mmpretrain::``).

    Returns:
        str: A file path.
    """
    if '::' not in config:
        return config
    import importlib
    import os.path as osp
    package, _, rel = config.partition('::')
    root = osp.dirname(importlib.import_module(package).__file__)
    path = osp.join(root, '.mim', 'configs', rel)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{config}: no such config in {package} '
                                f'(looked for {path})')
    return path


def build_from_config(config: str,
                      scope: str,
                      overrides: Optional[dict] = None,
                      device: torch.device = torch.device('cpu'),
                      amp: Optional[bool] = None):
    """Build a model and its optimiser wrapper from a config file.

    Args:
        config (str): Config path (``mmpretrain::byol/...`` works).
        scope (str): Registry scope to build in (``'mmpixpro'`` or
            ``'mmpretrain'``).
        overrides (dict, optional): ``--cfg-options``-style overrides.
        device (torch.device): Target device.
        amp (bool, optional): Force bf16 AMP on (True) or off (False);
            None keeps the config's choice (fp32 off CUDA).

    Returns:
        tuple: ``(model, optim_wrapper)``.
    """
    from mmpixpro.utils.train_setup import setup_amp
    cfg = Config.fromfile(resolve_config_path(config))
    if overrides:
        cfg.merge_from_dict(overrides)
    setup_amp(cfg, amp if device.type == 'cuda' else False)
    with DefaultScope.overwrite_default_scope(scope):
        from mmpixpro.registry import MODELS
        model = revert_sync_batchnorm(MODELS.build(cfg.model))
        model.init_weights()
        model.to(device)
        optim_wrapper = build_optim_wrapper(model, copy.deepcopy(
            cfg.optim_wrapper))
    return model, optim_wrapper


def model_step(model: nn.Module, optim_wrapper, data: dict,
               max_iters: int = 1000) -> Callable[[], float]:
    """A closure running ``model.train_step`` on ``data``.

    mmpretrain's momentum encoders read ``iter``/``max_iters`` from the
    MessageHub (they assume a Runner), so the closure keeps them there.
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


class BarePixProStep:
    """The bare-PyTorch limit: a PixPro-shaped step without the framework.

    Two online views forward + backward through a torchvision ResNet and a
    per-pixel projector, two forwards through a momentum copy, SGD, the
    momentum update; the loss is a cosine between the online and target
    maps (no PPM, no positive mask): what any PixPro step must compute.

    Args:
        depth (int): ResNet depth (18/34/50/101).
        hid_channels (int): Projector hidden width.
        device (torch.device): Device.
        channels_last (bool): Use the channels-last memory format.
        amp (bool): bf16 autocast (CUDA only).
    """

    def __init__(self, depth: int, hid_channels: int,
                 device: torch.device, channels_last: bool = True,
                 amp: bool = False) -> None:
        backbone = getattr(torchvision.models, f'resnet{depth}')()
        backbone.fc = nn.Identity()
        backbone.avgpool = nn.Identity()
        in_channels = 512 if depth < 50 else 2048
        self.trunk = nn.Sequential(*list(backbone.children())[:-2])
        proj = nn.Sequential(
            nn.Conv2d(in_channels, hid_channels, 1), nn.BatchNorm2d(
                hid_channels), nn.ReLU(inplace=True),
            nn.Conv2d(hid_channels, 256, 1))
        self.online = nn.Sequential(self.trunk, proj).to(device)
        self.target = copy.deepcopy(self.online)
        for p in self.target.parameters():
            p.requires_grad_(False)
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        self.online.to(memory_format=fmt)
        self.target.to(memory_format=fmt)
        self.fmt, self.device, self.amp = fmt, device, amp
        self.opt = torch.optim.SGD(
            self.online.parameters(), lr=0.01, momentum=0.9)
        self.mean = torch.tensor([123.675, 116.28, 103.53],
                                 device=device).view(1, 3, 1, 1)
        self.std = torch.tensor([58.395, 57.12, 57.375],
                                device=device).view(1, 3, 1, 1)

    def __call__(self, data: dict) -> float:
        views = [((v.to(self.device).float() - self.mean) /
                  self.std).contiguous(memory_format=self.fmt)
                 for v in data['inputs']]
        with torch.no_grad():
            torch._foreach_lerp_(
                list(self.target.parameters()),
                list(self.online.parameters()), 0.01)
        with torch.autocast(self.device.type, torch.bfloat16,
                            enabled=self.amp):
            online = [self.online(v) for v in views]
            with torch.no_grad():
                target = [self.target(v) for v in views]
            loss = -sum(
                nn.functional.cosine_similarity(o.float(), t.float()).mean()
                for o, t in zip(online, reversed(target)))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return float(loss)


def format_table(rows: List[Dict], columns: List[str]) -> str:
    """A Markdown table of ``rows`` with the given ``columns``.

    Args:
        rows (list[dict]): One dict per row.
        columns (list[str]): Keys to show, in order.

    Returns:
        str: The table.
    """

    def fmt(value) -> str:
        if value is None:
            return '-'
        if isinstance(value, float):
            return f'{value:.3g}' if abs(value) < 100 else f'{value:.1f}'
        return str(value)

    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '---|' * len(columns)]
    lines += [
        '| ' + ' | '.join(fmt(r.get(c)) for c in columns) + ' |'
        for r in rows
    ]
    return '\n'.join(lines)


def as_dict(result: StepResult) -> dict:
    """``StepResult`` as a plain dict (for JSON)."""
    return asdict(result)


def time_dataloader(config: str, data_root: str, num_workers: int,
                    batch: int, batches: int, warmup: int = 2) -> dict:
    """Images per second of the config's training pipeline on real files.

    Decoding and both views' augmentation run in ``num_workers`` worker
    processes (0: in this process), exactly as configured for training.

    Args:
        config (str): A training config of ours.
        data_root (str): Folder of images.
        num_workers (int): Dataloader workers.
        batch (int): Images per batch.
        batches (int): Timed batches.
        warmup (int): Untimed batches first (worker start-up included).

    Returns:
        dict: ``workers``, ``img_per_s`` and ``img_per_s_per_core``.
    """
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.dataset.data_root = data_root
    loader_cfg.update(
        batch_size=batch,
        num_workers=num_workers,
        persistent_workers=num_workers > 0)
    with DefaultScope.overwrite_default_scope('mmpixpro'):
        loader = Runner.build_dataloader(loader_cfg, seed=0)
    iterator = iter(_endless(loader))
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    rate = batches * batch / (time.perf_counter() - start)
    return dict(
        workers=num_workers,
        img_per_s=rate,
        img_per_s_per_core=rate / max(num_workers, 1))


def _endless(loader):
    epoch = 0
    while True:
        if hasattr(loader.sampler, 'set_epoch'):
            loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1
