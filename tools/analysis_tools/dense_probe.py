# Copyright (c) mmpixpro contributors. All rights reserved.
"""Dense linear probe and nearest-neighbour readout of a frozen backbone.

Examples:
    python tools/analysis_tools/dense_probe.py \\
        --checkpoint work_dirs/pixpro_r18_demo/epoch_12.pth --data data/dense
    python tools/analysis_tools/dense_probe.py --random-init --depth 18 \\
        --data data/dense --stage C4 --out probe_random.json
    # user data: --layout voc --data VOCdevkit/VOC2012 --train-split train
    #   --test-split val ; --layout cityscapes --data cityscapes ...
    # a field protocol (settings fixed, printed with the result):
    python tools/analysis_tools/dense_probe.py --checkpoint CKPT \
        --preset seg-linear-neco --layout ade20k \
        --data data/ADEChallengeData2016

Without --preset the demo probe runs as before: its loss on labels reduced
to 4x the feature grid (--label-scale), its mIoU at --img-size; both label
sizes are printed with the result.
"""
import argparse
import time
from typing import Optional, Sequence

from mmpixpro.evaluation import (DenseProbeConfig, DenseSegDataset,
                                 run_dense_probe, run_protocol)
from mmpixpro.evaluation.cli import (add_backbone_args, backbone_from_args,
                                     backbone_label, write_result)
from mmpixpro.evaluation.probe_report import format_probe_row
from mmpixpro.evaluation.seg_protocols import SEG_PRESETS


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_backbone_args(parser)
    parser.add_argument('--data', default='data/dense')
    parser.add_argument('--layout', default='voc',
                        choices=['voc', 'cityscapes', 'ade20k', 'cocostuff'])
    parser.add_argument('--preset', choices=sorted(SEG_PRESETS),
                        help='run a frozen-segmentation protocol with its '
                        'fixed settings (only --data, --layout, the splits '
                        'and --stage are passed on)')
    parser.add_argument('--train-split', default='train')
    parser.add_argument('--test-split', default='test')
    parser.add_argument('--img-size', type=int, default=256,
                        help='square side the pairs are resized to')
    parser.add_argument('--epochs', type=int, default=40)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--balance', type=float, default=0.5,
                        help='class-balance exponent of the probe loss '
                        '(0: plain cross-entropy)')
    parser.add_argument('--label-scale', type=int, default=4,
                        help='probe trains on labels at this many times the '
                        'feature grid; 0: at full size')
    parser.add_argument('--knn-k', type=int, default=10)
    parser.add_argument('--knn-temperature', type=float, default=0.07)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the result as JSON here')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run the probe; prints and returns the result."""
    args = parse_args(argv)
    start = time.perf_counter()
    backbone = backbone_from_args(args)
    if args.preset:
        return run_preset(args, backbone)
    data = {
        'train': DenseSegDataset(args.data, args.train_split, args.layout,
                                 args.img_size),
        'test': DenseSegDataset(args.data, args.test_split, args.layout,
                                args.img_size),
    }
    cfg = DenseProbeConfig(stage=args.stage, epochs=args.epochs, lr=args.lr,
                           balance=args.balance,
                           label_scale=args.label_scale or None,
                           knn_k=args.knn_k,
                           knn_temperature=args.knn_temperature,
                           seed=args.seed)
    result = run_dense_probe(backbone, data, cfg)
    result.update(backbone=backbone_label(args),
                  data=args.data, classes=list(data['train'].classes),
                  num_train=len(data['train']), num_test=len(data['test']),
                  total_seconds=time.perf_counter() - start)
    sizes = result['label_sizes']
    scale = f' ({args.label_scale}x the feature grid)' \
        if args.label_scale else ''
    print(f'{result["backbone"]} {args.stage}: {format_probe_row(result)} '
          f'| {result["total_seconds"]:.0f} s | probe labels '
          f'{"x".join(map(str, sizes["train"]))}{scale}, metric labels '
          f'{"x".join(map(str, sizes["metric"]))}')
    write_result(result, args.out)
    return result


def run_preset(args: argparse.Namespace, backbone) -> dict:
    """Run ``--preset``; prints the metrics and every setting."""
    settings = dict(layout=args.layout, train_split=args.train_split,
                    stage=args.stage)
    if args.test_split != 'test' or args.layout == 'voc':
        settings['test_split'] = args.test_split
    result = run_protocol(args.preset, backbone, args.data,
                          **settings).to_dict()
    result.update(backbone=backbone_label(args))
    metrics = ', '.join(f'{k} {v:.1f}' for k, v in result['metrics'].items())
    print(f'{result["backbone"]} {args.preset}: {metrics} '
          f'| {result["seconds"]:.0f} s')
    for key, value in result['settings'].items():
        print(f'  {key}: {value}')
    write_result(result, args.out)
    return result


if __name__ == '__main__':
    main()
