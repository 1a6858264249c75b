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
import json
import os.path as osp
import sys
import time
from typing import Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

import torch  # noqa: E402

from mmpixpro.evaluation import (DenseProbeConfig,  # noqa: E402
                                 DenseSegDataset, load_frozen_backbone,
                                 run_dense_probe)
from mmpixpro.evaluation.probe_report import format_probe_row  # noqa: E402


def add_backbone_args(parser: argparse.ArgumentParser) -> None:
    """``--checkpoint`` / ``--random-init`` / ``--depth`` / ``--stage``."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--checkpoint',
                       help='our checkpoint, an mm-format export or a '
                       'torchvision ResNet state_dict')
    group.add_argument('--random-init', action='store_true',
                       help='randomly initialised backbone (needs --depth)')
    parser.add_argument('--depth', type=int, default=None)
    parser.add_argument('--init-seed', type=int, default=0,
                        help='seed of --random-init')
    parser.add_argument('--stage', default='C5', choices=['C4', 'C5'])
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads')


def backbone_from_args(args: argparse.Namespace):
    """Build the frozen backbone the arguments describe."""
    if args.threads:
        torch.set_num_threads(args.threads)
    return load_frozen_backbone(
        None if args.random_init else args.checkpoint, args.depth,
        args.init_seed)


def backbone_label(args: argparse.Namespace) -> str:
    """The checkpoint path, or ``random-init (seed N)``."""
    return args.checkpoint or f'random-init (seed {args.init_seed})'


def write_result(result: dict, path: Optional[str]) -> None:
    """Write ``result`` as JSON to ``path`` (nothing when None)."""
    if path:
        with open(path, 'w') as f:
            json.dump(result, f, indent=1)


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
