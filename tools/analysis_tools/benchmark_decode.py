# Copyright (c) mmpixpro contributors. All rights reserved.
"""Time JPEG decoding with and without draft mode on a folder of photos.

Example:
    python tools/analysis_tools/benchmark_decode.py FOLDER --sides 0 915 512
"""
import argparse
import os.path as osp
import sys
import time
from typing import Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpixpro.datasets import list_images  # noqa: E402
from mmpixpro.datasets.transforms.loading import decode_rgb  # noqa: E402

JPEG_EXTENSIONS = ('.jpg', '.jpeg')


def time_decoding(blobs: Sequence[bytes], side: Optional[int],
                  repeats: int) -> tuple:
    """Best-of-``repeats`` images per second and the first decoded shape."""
    best, shape = float('inf'), None
    for _ in range(repeats):
        start = time.perf_counter()
        shapes = [decode_rgb(b, side).shape for b in blobs]
        best = min(best, time.perf_counter() - start)
        shape = shapes[0]
    return len(blobs) / best, shape


def main(argv: Optional[Sequence[str]] = None) -> list:
    """Print one row per ``min_short_side``; returns the rows."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'folder', help='searched as the dataset searches it, for .jpg and '
        '.jpeg files (any case; hidden files skipped)')
    parser.add_argument('--sides', type=int, nargs='+', default=[0, 915],
                        help='min_short_side values, 0 = full size')
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args(argv)
    files = [osp.join(args.folder, p)
             for p in list_images(args.folder, JPEG_EXTENSIONS)]
    if not files:
        sys.exit(f'error: no JPEG under {args.folder!r}')
    blobs = []
    for path in files:
        with open(path, 'rb') as f:
            blobs.append(f.read())
    rows = []
    print(f'{len(blobs)} JPEGs under {args.folder}')
    print('| min_short_side | img/s | first image decoded (H, W) |')
    for side in args.sides:
        rate, shape = time_decoding(blobs, side or None, args.repeats)
        rows.append(dict(min_short_side=side or None, img_per_s=rate,
                         shape=shape[:2]))
        print(f'| {side or None} | {rate:.1f} | {shape[:2]} |')
    return rows


if __name__ == '__main__':
    main()
