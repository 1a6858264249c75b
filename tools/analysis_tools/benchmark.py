# Copyright (c) mmpixpro contributors. All rights reserved.
"""Side-by-side speed of train steps (ours vs mmpretrain's), and of data.

Examples:
    # CPU, ResNet-18 at 96 px, batch 32: PixPro vs mmpretrain BYOL vs bare
    python tools/analysis_tools/benchmark.py --depth 18 --size 96 --batch 32
    # GPU, ResNet-50 at 224 px, batch 128, bf16
    python tools/analysis_tools/benchmark.py --depth 50 --size 224 \
        --batch 128 --amp --device cuda
    # data pipeline on real JPEGs with 0, 1 and 2 workers: ours against
    # the torchvision/PIL pipeline of the paper's augmentations
    python tools/analysis_tools/benchmark.py --data data/demo --workers 0 1 2
    # the same, and our 2x224 + 6x96 multi-crop pipeline beside them
    python tools/analysis_tools/benchmark.py --data data/demo --multicrop

What is measured, and how, is :mod:`mmpixpro.benchmarks`.
"""
import argparse
import json
import os.path as osp
from dataclasses import asdict

import cv2
import torch

from mmpixpro.benchmarks import (PIPELINES, BarePixProStep, allocated,
                                 build_from_config, format_table,
                                 gflop_per_image, machine_info, matmul_gflops,
                                 model_step, synthetic_batch, time_dataloader,
                                 time_rounds)
from mmpixpro.utils import register_all_modules

PIXPRO = 'configs/pixpro/pixpro_r50_8xb128.py'
BYOL = 'mmpretrain::byol/byol_resnet50_16xb256-coslr-200e_in1k.py'
DENSECL = 'mmpretrain::densecl/densecl_resnet50_8xb32-coslr-200e_in1k.py'
MULTICROP = 'configs/_base_/datasets/imagenet_multicrop.py'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--depth', type=int, default=50)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--batch', type=int, default=128,
                        help='images per view and step')
    parser.add_argument('--steps', type=int, default=10,
                        help='timed steps per model and round')
    parser.add_argument('--rounds', type=int, default=3,
                        help='timed rounds, the models interleaved; the '
                        'median round is reported')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cuda'
                        if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true',
                        help='bf16 autocast for every model (CUDA only)')
    parser.add_argument('--models', nargs='+',
                        default=['pixpro', 'byol', 'densecl', 'bare'],
                        choices=['pixpro', 'byol', 'densecl', 'bare',
                                 'bare-nchw'],
                        help='bare-nchw: the bare step without channels-last'
                        ' (what the memory format buys on this device)')
    parser.add_argument('--pixpro-config', default=PIXPRO)
    parser.add_argument('--pixpro-options', nargs='*', default=[],
                        help='key=value overrides of the PixPro config')
    parser.add_argument('--data', help='time the dataloader on this folder')
    parser.add_argument('--data-config', default=PIXPRO)
    parser.add_argument('--multicrop', nargs='?', const=MULTICROP,
                        help='with --data: also time our pipeline of this '
                        f'multi-crop config (default {MULTICROP}: 2 x 224 '
                        '+ 6 x 96 px)')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--batches', type=int, default=10)
    parser.add_argument('--pipelines', nargs='+',
                        default=list(PIPELINES),
                        choices=PIPELINES,
                        help='with --data: our configured pipeline and the '
                        'torchvision/PIL one of the paper\'s augmentations')
    parser.add_argument('--out', help='write the results as JSON here')
    return parser.parse_args()


def parse_options(pairs):
    options = {}
    for pair in pairs:
        key, _, value = pair.partition('=')
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def depth_overrides(depth: int, in_key: str) -> dict:
    """Backbone depth and the matching input width of the first neck."""
    channels = 512 if depth < 50 else 2048
    return {'model.backbone.depth': depth, in_key: channels}


def build_step(name: str, args, device: torch.device, data: dict):
    """One model's train-step closure, built as configured."""
    amp = args.amp if device.type == 'cuda' else False
    if name in ('bare', 'bare-nchw'):
        nchw = name == 'bare-nchw'
        step = BarePixProStep(args.depth, 4096, device,
                              channels_last=not nchw, amp=amp)
        label = 'bare PyTorch (PixPro-shaped)'
        return label + (', NCHW' if nchw else ''), lambda: step(data)
    config, scope = {
        'pixpro': (args.pixpro_config, 'mmpixpro'),
        'byol': (BYOL, 'mmpretrain'),
        'densecl': (DENSECL, 'mmpretrain'),
    }[name]
    overrides = depth_overrides(args.depth, 'model.neck.in_channels')
    label = f'{name} ({scope})'
    if name == 'pixpro' and args.pixpro_options:
        overrides.update(parse_options(args.pixpro_options))
        label = f'{name} ({scope}, {" ".join(args.pixpro_options)})'
    model, wrapper = build_from_config(config, scope, overrides, device,
                                       amp)
    return label, model_step(model, wrapper, data)


def model_rows(args) -> list:
    """Build every model, warm each up, then time them in rounds."""
    device = torch.device(args.device)
    data = synthetic_batch(args.batch, args.size)
    steps, resident, gflop = {}, {}, {}
    for name in args.models:
        before = allocated(device)
        label, step = build_step(name, args, device, data)
        for _ in range(args.warmup):
            step()
        gflop[label] = gflop_per_image(step, args.batch)
        steps[label] = step
        resident[label] = allocated(device) - before
    rows = [
        asdict(r) for r in time_rounds(steps, args.batch, device,
                                       args.steps, 0, args.rounds, resident)
    ]
    for row in rows:
        row['gflop_per_img'] = gflop[row['name']]
        row['gflop_per_s'] = (row['gflop_per_img'] * row['img_per_s']
                              if row['gflop_per_img'] else None)
    return rows


def data_jobs(args) -> list:
    """(pipeline, config) pairs to time: ours with the two-view config and,
    with ``--multicrop``, the multi-crop one; torchvision once (it has its
    own two-view pipeline)."""
    configs = [args.data_config] + ([args.multicrop]
                                    if args.multicrop else [])
    return [(name, config) for name in args.pipelines
            for config in (configs if name == 'ours' else configs[:1])]


def data_rows(args) -> list:
    """Time each pipeline at each worker count, one thread per process
    (the main process is one core at 0 workers; workers are single-threaded
    as the DataLoader makes them), the pipelines alternating."""
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    rows = []
    for workers in args.workers:
        group = []
        for name, config in data_jobs(args):
            row = time_dataloader(config, args.data, workers, args.batch,
                                  args.batches, pipeline=name)
            row['config'] = osp.basename(config) if name == 'ours' else None
            group.append(row)
        ref = next((r['img_per_s'] for r in group
                    if r['pipeline'] == 'torchvision'), None)
        for row in group:
            row['vs_torchvision'] = row['img_per_s'] / ref if ref else None
        rows += group
    return rows


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    result = dict(args=vars(args), device=args.device,
                  machine=machine_info(torch.device(args.device)))
    print('machine: ' + ', '.join(f'{k} {v}'
                                  for k, v in result['machine'].items()))
    if args.data:
        rows = data_rows(args)
        print(f'{args.data}: batch {args.batch} images (each with its '
              f'views), {args.batches} timed batches')
        print(format_table(rows, ['pipeline', 'workers', 'config', 'views',
                                  'img_per_s', 'img_per_s_per_core',
                                  'vs_torchvision']))
        result['data'] = rows
    else:
        rows = model_rows(args)
        # the yardstick again: a shared machine's speed drifts
        after = round(matmul_gflops(torch.device(args.device)), 1)
        result['machine']['matmul_gflops_after'] = after
        print(f'matmul_gflops after the steps {after}')
        base = {r['name']: r['img_per_s'] for r in rows}
        ref = next((v for k, v in base.items() if k.startswith('byol')),
                   None)
        for r in rows:
            r['vs_byol'] = r['img_per_s'] / ref if ref else None
        print(f'device {args.device}, ResNet-{args.depth}, {args.size} px, '
              f'batch {args.batch} per view, {args.rounds} rounds of '
              f'{args.steps} timed steps (median round)')
        print(format_table(rows, ['name', 'img_per_s', 'img_per_s_min',
                                  'img_per_s_max', 'ms_per_step',
                                  'gflop_per_img', 'gflop_per_s',
                                  'peak_mem_mib', 'vs_byol', 'loss']))
        result['steps'] = rows
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
