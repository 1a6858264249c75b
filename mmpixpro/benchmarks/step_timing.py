# Copyright (c) mmpixpro contributors. All rights reserved.
"""Timing of train steps: a synthetic batch, interleaved timed rounds and
the counted work of a step.

Every model is timed in the same process, on the same device, with the same
synthetic batch: two uint8 views of ``size x size`` and crop boxes (which
the baselines ignore). Warm-up steps are excluded and the device is
synchronised around the timed steps.
"""
import statistics
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import torch
from mmpretrain.structures import DataSample

from .device import allocated, synchronize


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
            synchronize(device)
            if device.type == 'cuda':
                torch.cuda.reset_peak_memory_stats(device)
            others = allocated(device) - (resident or {}).get(name, 0)
            start = time.perf_counter()
            for _ in range(steps):
                losses[name] = step()
            synchronize(device)
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
    achieved GFLOP/s, to compare with
    :func:`~mmpixpro.benchmarks.matmul_gflops`.

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
