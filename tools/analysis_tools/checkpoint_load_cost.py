# Copyright (c) mmpixpro contributors. All rights reserved.
"""What the integrity check costs when a checkpoint is loaded.

Saves a training checkpoint of a config's model (weights, momentum copy and
an optimizer state of the same size, as a Runner checkpoint holds), then
times ``torch.load(weights_only=True)`` alone, the archive check alone
(CRC-32 of every record, inflation bound) and
:func:`mmpixpro.checkpoint.safe_load` (both), best of ``--repeats``.

Example:
    python tools/analysis_tools/checkpoint_load_cost.py \\
        configs/pixpro/pixpro_r50_8xb128.py --repeats 5
"""
import argparse
import os.path as osp
import tempfile
import time
from typing import Callable

import torch
from mmengine.config import Config

from mmpixpro.checkpoint import check_archive, safe_load, save_atomically
from mmpixpro.registry import MODELS
from mmpixpro.utils import register_all_modules


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """The shortest of ``repeats`` wall-clock times of ``fn()``, seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def training_checkpoint(config: str) -> dict:
    """A Runner-like checkpoint of the config's model (random weights)."""
    model = MODELS.build(Config.fromfile(config).model)
    state = model.state_dict()
    momentum = {i: {'momentum_buffer': torch.zeros_like(p)}
                for i, p in enumerate(model.parameters()) if p.requires_grad}
    return {'meta': {'epoch': 1, 'iter': 1}, 'state_dict': state,
            'optimizer': {'state': momentum, 'param_groups': [{'lr': 1.0}]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a training config')
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    register_all_modules()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'epoch_1.pth')
        save_atomically(training_checkpoint(args.config), path)
        size = osp.getsize(path) / 2**20
        load = best_of(args.repeats,
                       lambda: torch.load(path, weights_only=True))
        check = best_of(args.repeats, lambda: check_archive(path))
        both = best_of(args.repeats, lambda: safe_load(path))
    print(f'| checkpoint | MiB | torch.load (s) | archive check (s) | '
          f'safe_load (s) | check / load |\n|---|---|---|---|---|---|\n'
          f'| {osp.basename(args.config)} | {size:.0f} | {load:.3f} | '
          f'{check:.3f} | {both:.3f} | {check / load:.2f} |')


if __name__ == '__main__':
    main()
