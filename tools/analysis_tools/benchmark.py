# Copyright (c) mmpixpro contributors. All rights reserved.
"""Side-by-side speed of train steps (ours vs mmpretrain's), and of data.

Examples:
    # CPU, ResNet-18 at 96 px, batch 32: PixPro vs mmpretrain BYOL vs bare
    python tools/analysis_tools/benchmark.py --depth 18 --size 96 --batch 32
    # GPU, ResNet-50 at 224 px, batch 128, bf16
    python tools/analysis_tools/benchmark.py --depth 50 --size 224 \
        --batch 128 --amp --device cuda
    # data pipeline on real JPEGs with 0, 1 and 2 workers
    python tools/analysis_tools/benchmark.py --data data/demo --workers 0 1 2
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import torch  # noqa: E402

from mmpixpro.utils import register_all_modules  # noqa: E402
from mmpixpro.utils.benchmark import (BarePixProStep,  # noqa: E402
                                      as_dict, build_from_config,
                                      format_table, model_step,
                                      synthetic_batch, time_dataloader,
                                      time_steps)

PIXPRO = 'configs/pixpro/pixpro_r50_8xb128.py'
BYOL = 'mmpretrain::byol/byol_resnet50_16xb256-coslr-200e_in1k.py'
DENSECL = 'mmpretrain::densecl/densecl_resnet50_8xb32-coslr-200e_in1k.py'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--depth', type=int, default=50)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--batch', type=int, default=128,
                        help='images per view and step')
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cuda'
                        if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true',
                        help='bf16 autocast for every model (CUDA only)')
    parser.add_argument('--models', nargs='+',
                        default=['pixpro', 'byol', 'densecl', 'bare'],
                        choices=['pixpro', 'byol', 'densecl', 'bare'])
    parser.add_argument('--pixpro-config', default=PIXPRO)
    parser.add_argument('--pixpro-options', nargs='*', default=[],
                        help='key=value overrides of the PixPro config')
    parser.add_argument('--data', help='time the dataloader on this folder')
    parser.add_argument('--data-config', default=PIXPRO)
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--batches', type=int, default=10)
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


def model_rows(args) -> list:
    device = torch.device(args.device)
    data = synthetic_batch(args.batch, args.size)
    amp = args.amp if device.type == 'cuda' else False
    rows = []
    for name in args.models:
        if name == 'bare':
            step = BarePixProStep(args.depth, 4096, device, amp=amp)
            rows.append(
                time_steps('bare PyTorch (PixPro-shaped)',
                           lambda: step(data), args.batch, device,
                           args.steps, args.warmup))
            continue
        config, scope = {
            'pixpro': (args.pixpro_config, 'mmpixpro'),
            'byol': (BYOL, 'mmpretrain'),
            'densecl': (DENSECL, 'mmpretrain'),
        }[name]
        overrides = depth_overrides(args.depth, 'model.neck.in_channels')
        if name == 'pixpro':
            overrides.update(parse_options(args.pixpro_options))
        model, wrapper = build_from_config(config, scope, overrides, device,
                                           amp)
        rows.append(
            time_steps(f'{name} ({scope})',
                       model_step(model, wrapper, data), args.batch, device,
                       args.steps, args.warmup))
        del model, wrapper
    return [as_dict(r) for r in rows]


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    result = dict(args=vars(args), device=args.device)
    if args.data:
        rows = [
            time_dataloader(args.data_config, args.data, w, args.batch,
                            args.batches) for w in args.workers
        ]
        print(format_table(rows, ['workers', 'img_per_s',
                                  'img_per_s_per_core']))
        result['data'] = rows
    else:
        rows = model_rows(args)
        base = {r['name']: r['img_per_s'] for r in rows}
        ref = next((v for k, v in base.items() if k.startswith('byol')),
                   None)
        for r in rows:
            r['vs_byol'] = r['img_per_s'] / ref if ref else None
        print(f'device {args.device}, ResNet-{args.depth}, {args.size} px, '
              f'batch {args.batch} per view, {args.steps} timed steps')
        print(format_table(rows, ['name', 'img_per_s', 'ms_per_step',
                                  'peak_mem_mib', 'vs_byol', 'loss']))
        result['steps'] = rows
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
