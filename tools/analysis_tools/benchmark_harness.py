# Copyright (c) mmpixpro contributors. All rights reserved.
"""Timing of train steps and of the data pipeline, for side-by-side tables
(the library of ``benchmark.py`` beside it).

Every model is timed in the same process, on the same device, with the same
synthetic batch: two uint8 views of ``size x size`` and crop boxes (which
the baselines ignore). Warm-up steps are excluded and the device is
synchronised around the timed steps.
"""
import copy
import os
import os.path as osp
import statistics
import time
import warnings
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Optional

import torch
import torchvision
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpretrain.structures import DataSample
from PIL import Image, ImageFilter

from mmpixpro.datasets.image_folder import IMG_EXTENSIONS
from mmpixpro.registry import MODELS
from mmpixpro.utils import setup_amp
from torch import nn


@dataclass
class StepResult:
    """What one benchmarked model gives.

    Args:
        name (str): Row label.
        img_per_s (float): Median over rounds of images per second (an
            image = its two views).
        ms_per_step (float): Mean wall time of a step at that median.
        peak_mem_mib (float, optional): Peak device memory of this model's
            step, its own parameters and states included (CUDA only).
        loss (float): Loss of the last step (a sanity value).
        img_per_s_min (float): Slowest round.
        img_per_s_max (float): Fastest round.
        rounds (int): Timed rounds.
    """
    name: str
    img_per_s: float
    ms_per_step: float
    peak_mem_mib: Optional[float]
    loss: float
    img_per_s_min: float = 0.0
    img_per_s_max: float = 0.0
    rounds: int = 1


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


def allocated(device: torch.device) -> int:
    """Bytes allocated on a CUDA device (0 elsewhere)."""
    return (torch.cuda.memory_allocated(device)
            if device.type == 'cuda' else 0)


def time_rounds(steps_by_name: Dict[str, Callable[[], float]], batch: int,
                device: torch.device, steps: int, warmup: int,
                rounds: int = 1,
                resident: Optional[Dict[str, int]] = None
                ) -> List[StepResult]:
    """Time every step ``steps`` times per round, interleaving the models.

    Interleaving (round 1: A, B, C; round 2: A, B, C; ...) spreads a slow
    spell of a shared machine over all models instead of one, and the
    median over rounds is reported with the slowest and fastest round.

    Args:
        steps_by_name (dict[str, Callable[[], float]]): Row label -> one
            train step returning its loss. Warm-up: ``warmup`` untimed
            steps of each first.
        batch (int): Images per step.
        device (torch.device): The device (for synchronisation/memory).
        steps (int): Timed steps per model and round.
        warmup (int): Untimed steps per model before the first round.
        rounds (int): Timed rounds.
        resident (dict[str, int], optional): Bytes each model keeps on the
            device between steps (weights, momentum copy, optimiser
            states); the other models' bytes are subtracted from the peak.

    Returns:
        list[StepResult]: One per model, in the given order.
    """
    for step in steps_by_name.values():
        for _ in range(warmup):
            step()
    rates = {name: [] for name in steps_by_name}
    peaks = {name: None for name in steps_by_name}
    losses = {name: float('nan') for name in steps_by_name}
    for _ in range(rounds):
        for name, step in steps_by_name.items():
            _sync(device)
            if device.type == 'cuda':
                torch.cuda.reset_peak_memory_stats(device)
            others = allocated(device) - (resident or {}).get(name, 0)
            start = time.perf_counter()
            for _ in range(steps):
                losses[name] = step()
            _sync(device)
            rates[name].append(batch * steps /
                               (time.perf_counter() - start))
            if device.type == 'cuda':
                peak = (torch.cuda.max_memory_allocated(device) -
                        others) / 2**20
                peaks[name] = max(peaks[name] or 0.0, peak)
    results = []
    for name, rate in rates.items():
        median = statistics.median(rate)
        results.append(
            StepResult(name, median, batch / median * 1e3, peaks[name],
                       losses[name], min(rate), max(rate), rounds))
    return results


def time_steps(name: str, step: Callable[[], float], batch: int,
               device: torch.device, steps: int, warmup: int) -> StepResult:
    """Time one ``step`` (which returns the loss) after warm-up.

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
    return time_rounds({name: step}, batch, device, steps, warmup)[0]


def gflop_per_image(step: Callable[[], float], batch: int
                    ) -> Optional[float]:
    """Floating-point operations of one step per image, counted.

    Runs ``step`` once under :class:`torch.utils.flop_counter.FlopCounterMode`
    (convolutions and matrix products, forward and backward; the
    elementwise rest is not counted). Multiplied by the img/s this gives the
    achieved GFLOP/s, to compare with :func:`matmul_gflops`.

    Args:
        step (Callable[[], float]): One train step.
        batch (int): Images per step.

    Returns:
        float, optional: GFLOP per image; None if counting failed (e.g. a
        compiled step that the counter cannot trace).
    """
    from torch.utils.flop_counter import FlopCounterMode
    try:
        with FlopCounterMode(display=False) as counter:
            step()
    except Exception as exc:  # counting is informative only
        warnings.warn(f'FLOP counting failed: {exc!r}')
        return None
    return counter.get_total_flops() / batch / 1e9


def machine_info(device: torch.device) -> dict:
    """What the figures depend on: CPU model and vector units, threads,
    torch version and the GPU.

    Args:
        device (torch.device): The device timed (GPU name, matmul rate).

    Returns:
        dict: ``cpu``, ``cpu_flags`` (the AVX-512/AMX/BF16 ones present),
        ``cores``, ``torch_threads``, ``torch``, ``gpu`` (or None) and
        ``matmul_gflops`` (see :func:`matmul_gflops`).
    """
    import platform
    fields = {}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    cpu = fields.get('model name') or platform.processor() or \
        platform.machine()
    if 'cpu family' in fields:  # VMs often hide the model name
        cpu += f' (family {fields["cpu family"]}, model {fields["model"]})'
    flags = set(fields.get('flags', '').split())
    wanted = ('avx2', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'amx_bf16')
    gpu = (torch.cuda.get_device_name(device)
           if device.type == 'cuda' else None)
    return dict(
        cpu=cpu,
        cpu_flags=[f for f in wanted if f in flags],
        cores=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        gpu=gpu,
        matmul_gflops=round(matmul_gflops(device), 1))


def matmul_gflops(device: torch.device, n: int = 2048,
                  repeats: int = 5) -> float:
    """Best fp32 rate of an ``n x n`` matrix product on ``device``.

    A yardstick for the step rates: a ResNet train step cannot do many
    more floating-point operations per second than a large matmul.

    Args:
        device (torch.device): Where to multiply.
        n (int): Matrix side.
        repeats (int): Timed products (after one untimed).

    Returns:
        float: GFLOP/s (2 n^3 operations per product), best of ``repeats``.
    """
    a = torch.randn(n, n, device=device)
    best = float('inf')
    for _ in range(repeats + 1):  # the first product warms up
        _sync(device)
        start = time.perf_counter()
        a @ a
        _sync(device)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


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

    A ``compile`` key in the config compiles ``model.train_step`` as
    mmengine's Runner does.

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
    cfg = Config.fromfile(resolve_config_path(config))
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
        return float(loss.detach())


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
                    batch: int, batches: int, warmup: int = 2,
                    pipeline: str = 'ours') -> dict:
    """Images per second of a two-view pipeline on real files.

    Decoding and both views' augmentation run in ``num_workers`` worker
    processes (0: in this process), exactly as configured for training
    (``pipeline='ours'``) or as the reference torchvision/PIL pipeline
    (``pipeline='torchvision'``, :func:`build_loader`).

    Args:
        config (str): A training config of ours.
        data_root (str): Folder of images.
        num_workers (int): Dataloader workers.
        batch (int): Images per batch.
        batches (int): Timed batches.
        warmup (int): Untimed batches first (worker start-up included).
        pipeline (str): 'ours' or 'torchvision'. Defaults to 'ours'.

    Returns:
        dict: ``pipeline``, ``workers``, ``img_per_s`` and
        ``img_per_s_per_core`` (the main process counts as one core when
        there is no worker).
    """
    loader = build_loader(pipeline, config, data_root, num_workers, batch)
    iterator = iter(_endless(loader))
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    rate = batches * batch / (time.perf_counter() - start)
    return dict(
        pipeline=pipeline,
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


class PILGaussianBlur:
    """PIL's Gaussian blur with ``sigma ~ U(0.1, 2.0)``: the blur of the
    authors' released PixPro code (the reference pipeline's)."""

    def __call__(self, img):
        sigma = float(torch.empty(1).uniform_(0.1, 2.0))
        return img.filter(ImageFilter.GaussianBlur(radius=sigma))


def torchvision_view(size: int, blur_prob: float, solarize_prob: float):
    """One view of the paper's augmentations with torchvision on PIL.

    RandomResizedCrop (scale 0.08-1, bilinear, antialiased), flip,
    ColorJitter(0.4, 0.4, 0.2, 0.1) with p=0.8, grayscale p=0.2, PIL's
    Gaussian blur with ``blur_prob``, solarize with ``solarize_prob``,
    then a ``uint8`` tensor (as our pipeline gives).

    Args:
        size (int): Crop size.
        blur_prob (float): Probability of the blur.
        solarize_prob (float): Probability of solarisation.

    Returns:
        torchvision.transforms.Compose: The view transform.
    """
    T = torchvision.transforms
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([PILGaussianBlur()], p=blur_prob),
        T.RandomSolarize(128, p=solarize_prob),
        T.PILToTensor(),
    ])


class TorchvisionTwoViews(torch.utils.data.Dataset):
    """The reference pipeline: PIL decoding, two torchvision views.

    Args:
        files (list[str]): Image files.
        size (int): Crop size. Defaults to 224.
    """

    def __init__(self, files: List[str], size: int = 224) -> None:
        self.files = files
        self.views = (torchvision_view(size, 1.0, 0.0),
                      torchvision_view(size, 0.1, 0.2))

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> list:
        with Image.open(self.files[index]) as img:
            img = img.convert('RGB')
        return [view(img) for view in self.views]


def image_files(data_root: str) -> List[str]:
    """The images our dataset lists under ``data_root``, sorted."""
    files = []
    for folder, _, names in os.walk(data_root):
        files += [osp.join(folder, n) for n in names
                  if n.lower().endswith(IMG_EXTENSIONS)]
    return sorted(files)


def build_loader(pipeline: str, config: str, data_root: str,
                 num_workers: int, batch: int):
    """A dataloader of our configured pipeline or of the reference one.

    Args:
        pipeline (str): 'ours' (the config's ``train_dataloader``) or
            'torchvision' (:class:`TorchvisionTwoViews`, same files).
        config (str): A training config of ours.
        data_root (str): Folder of images.
        num_workers (int): Dataloader workers.
        batch (int): Images per batch.

    Returns:
        torch.utils.data.DataLoader: The loader.
    """
    if pipeline == 'torchvision':
        return torch.utils.data.DataLoader(
            TorchvisionTwoViews(image_files(data_root)),
            batch_size=batch,
            shuffle=True,
            num_workers=num_workers,
            persistent_workers=num_workers > 0,
            drop_last=True)
    cfg = Config.fromfile(config)
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.dataset.data_root = data_root
    loader_cfg.update(
        batch_size=batch,
        num_workers=num_workers,
        persistent_workers=num_workers > 0)
    with DefaultScope.overwrite_default_scope('mmpixpro'):
        return Runner.build_dataloader(loader_cfg, seed=0)
