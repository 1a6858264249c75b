# Copyright (c) mmpixpro contributors. All rights reserved.
"""Propagate the first frame's mask through video sequences by feature
affinity; report region J per sequence and its mean.

Examples:
    python tools/analysis_tools/label_propagation.py \\
        --checkpoint work_dirs/pixpro_r18_demo/epoch_12.pth \\
        --data data/dense/sequences --stage C4
    python tools/analysis_tools/label_propagation.py --random-init \\
        --depth 18 --data DAVIS --resolution 480p
    # the DAVIS-2017 protocol: J&F-Mean, J/F Mean and Recall, on the
    # sequences of ImageSets/2017/val.txt at 480p (settings printed)
    python tools/analysis_tools/label_propagation.py --checkpoint CKPT \\
        --data DAVIS --davis --stage C4
"""
import argparse
import time
from typing import Optional, Sequence

import numpy as np
import torch

from mmpixpro.evaluation import (PropagationConfig, VideoSequence,
                                 evaluate_sequence, extract_features,
                                 list_sequences, run_protocol)
from mmpixpro.evaluation.cli import (add_backbone_args, backbone_from_args,
                                     backbone_label, write_result)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_backbone_args(parser)
    parser.add_argument('--data', default='data/dense/sequences',
                        help='DAVIS-style folder (JPEGImages/, Annotations/)')
    parser.add_argument('--resolution', default='',
                        help="sub-folder, e.g. DAVIS' 480p")
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument('--temperature', type=float, default=0.1)
    parser.add_argument('--num-context', type=int, default=7)
    parser.add_argument('--radius', type=int, default=12,
                        help='neighbourhood in feature cells (-1: none)')
    parser.add_argument('--davis', action='store_true',
                        help='score as DAVIS-2017 (J&F, frames 1..T-2, '
                        'ImageSets/2017/<split>.txt, 480p when present)')
    parser.add_argument('--split', default='val',
                        help='DAVIS split of --davis')
    parser.add_argument('--out', help='write the result as JSON here')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run propagation on every sequence; prints and returns the result."""
    args = parse_args(argv)
    start = time.perf_counter()
    backbone = backbone_from_args(args)
    if args.davis:
        return run_davis(args, backbone)
    cfg = PropagationConfig(args.topk, args.temperature, args.num_context,
                            None if args.radius < 0 else args.radius)
    per_seq = {}
    for name in list_sequences(args.data, args.resolution):
        frames, masks = VideoSequence(args.data, name,
                                      args.resolution).load()
        feats = extract_features(backbone, list(frames), args.stage)
        per_seq[name] = evaluate_sequence(feats, torch.from_numpy(masks),
                                          cfg)['J']
        print(f'{name}: J {100 * per_seq[name]:.1f}')
    result = dict(J_mean=float(np.mean(list(per_seq.values()))),
                  J=per_seq, backbone=backbone_label(args), stage=args.stage,
                  config=vars(cfg),
                  total_seconds=time.perf_counter() - start)
    print(f'{result["backbone"]} {args.stage}: mean J '
          f'{100 * result["J_mean"]:.1f} over {len(per_seq)} sequences '
          f'({result["total_seconds"]:.0f} s)')
    write_result(result, args.out)
    return result


def run_davis(args: argparse.Namespace, backbone) -> dict:
    """The ``davis`` protocol with the tool's propagation settings; prints
    the table, per-sequence J&F and every setting."""
    result = run_protocol(
        'davis', backbone, args.data, split=args.split,
        resolution=args.resolution or '480p', stage=args.stage,
        topk=args.topk, temperature=args.temperature,
        num_context=args.num_context,
        radius=None if args.radius < 0 else args.radius).to_dict()
    result.update(backbone=backbone_label(args))
    for name, value in result['extra']['per_sequence'].items():
        print(f'{name}: J&F {value:.1f}')
    table = ', '.join(f'{k} {v:.1f}' for k, v in result['metrics'].items())
    print(f'{result["backbone"]} {args.stage}: {table} '
          f'({result["extra"]["num_sequences"]} sequences, '
          f'{result["seconds"]:.0f} s)')
    for key, value in result['settings'].items():
        print(f'  {key}: {value}')
    write_result(result, args.out)
    return result


if __name__ == '__main__':
    main()
