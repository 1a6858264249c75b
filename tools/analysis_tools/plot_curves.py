# Copyright (c) mmpixpro contributors. All rights reserved.
"""Plot training curves (loss, lr, momentum, probe mIoU, ...) of runs.

Reads mmengine's ``scalars.json``: given a work dir, the newest
``*/vis_data/scalars.json`` under it; a scalars file is accepted as well.

Examples:
    python tools/analysis_tools/plot_curves.py work_dirs/pixpro_r18_demo \\
        --out curves.png
    python tools/analysis_tools/plot_curves.py work_dirs/a work_dirs/b \\
        --out cmp.png --keys loss lr --labels baseline ppm2 --mean-window 20
"""
import argparse
import sys
from typing import Sequence

from mmpixpro.visualization import DEFAULT_KEYS, load_runs, plot_curves


def parse_args(argv: Sequence[str] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description='Plot training curves')
    parser.add_argument(
        'runs', nargs='+', help='work dirs or scalars.json files')
    parser.add_argument('--out', required=True, help='output PNG file')
    parser.add_argument(
        '--keys',
        nargs='+',
        default=list(DEFAULT_KEYS),
        help='scalars to plot, one subplot each (missing ones are skipped; '
        'default: %(default)s)')
    parser.add_argument(
        '--labels', nargs='+', help='legend labels, one per run '
        '(default: the run folder names)')
    parser.add_argument(
        '--mean-window',
        type=int,
        default=1,
        help='smooth each curve with a trailing mean of N points')
    args = parser.parse_args(argv)
    if args.labels is not None and len(args.labels) != len(args.runs):
        parser.error(f'got {len(args.labels)} labels for '
                     f'{len(args.runs)} runs')
    if args.mean_window < 1:
        parser.error('--mean-window must be >= 1')
    return args


def main(argv: Sequence[str] = None) -> str:
    """Run the tool; returns the path of the figure."""
    args = parse_args(argv)
    runs = load_runs(args.runs, args.labels)
    out = plot_curves(runs, args.out, args.keys, args.mean_window)
    print(out)
    return out


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f'error: {error}')
