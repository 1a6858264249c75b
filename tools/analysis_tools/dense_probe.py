# Copyright (c) mmpixpro contributors. All rights reserved.
"""Dense linear probe and nearest-neighbour readout of a frozen backbone.

Examples:
    python tools/analysis_tools/dense_probe.py \\
        --checkpoint work_dirs/pixpro_r18_demo/epoch_12.pth --data data/dense
    python tools/analysis_tools/dense_probe.py --random-init --depth 18 \\
        --data data/dense --stage C4 --out probe_random.json
    # user data: --layout voc --data VOCdevkit/VOC2012 --train-split train
    #   --test-split val ; --layout cityscapes --data cityscapes ...
"""
import argparse
import time
from typing import Optional, Sequence

from mmpixpro.evaluation import (DenseProbeConfig, DenseSegDataset,
                                 run_dense_probe)
from mmpixpro.evaluation.cli import (add_backbone_args, backbone_from_args,
                                     backbone_label, write_result)
from mmpixpro.evaluation.probe_report import format_probe_row


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_backbone_args(parser)
    parser.add_argument('--data', default='data/dense')
    parser.add_argument('--layout', default='voc',
                        choices=['voc', 'cityscapes'])
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
    print(f'{result["backbone"]} {args.stage}: {format_probe_row(result)} '
          f'| {result["total_seconds"]:.0f} s')
    write_result(result, args.out)
    return result


if __name__ == '__main__':
    main()
