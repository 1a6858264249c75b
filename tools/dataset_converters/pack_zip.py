# Copyright (c) mmpixpro contributors. All rights reserved.
"""Pack an image folder into zip shards with a file list.

Millions of small files strain shared file systems; a few hundred zip
archives of about 1 GB do not. The images are stored as they are (no
re-encoding, no compression), so training reads the same bytes: the same
samples, augmentations and batches as from the folder. Shard ``k`` holds
images ``k * N`` to ``(k + 1) * N - 1`` of the listing; ``OUT/train.txt``
names every image as ``train-00000.zip@n01/x.JPEG``. The images are the
folder's listing (as ``UnlabeledImageFolder`` searches it, or as
``make_file_list.py`` writes it), or the paths of ``--ann-file`` in its
order, read by the dataset's rules (``read_file_list``: UTF-8, paths
inside the root, a path listed twice packed once).

Example::

    python tools/dataset_converters/pack_zip.py data/imagenet/train \\
        data/imagenet_zip --num-workers 8

then ``data_root='data/imagenet_zip/'``, ``ann_file='train.txt'`` and
``LoadRGBImageFromFile(backend_args=dict(backend='zip'))`` (see
``configs/_base_/datasets/imagenet_pixpro_zip.py``).
"""
import argparse
import os.path as osp
import time
from typing import Optional, Sequence

from mmpixpro.datasets import (IMG_EXTENSIONS, FileListError, list_images,
                               pack_zip_shards, read_file_list)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Pack an image folder into zip shards + a file list.')
    parser.add_argument('root', help='image folder (the image root)')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--ann-file',
        help='file list of the images to pack, paths relative to root '
        '(default: search root as the dataset does)')
    parser.add_argument(
        '--extensions',
        nargs='+',
        default=list(IMG_EXTENSIONS),
        help='image extensions when searching root')
    parser.add_argument(
        '--prefix',
        default='train',
        help='name of the shards and of the file list (default: train)')
    parser.add_argument(
        '--images-per-shard',
        type=int,
        default=10000,
        help='images per zip archive (default: 10000)')
    parser.add_argument(
        '--num-workers',
        type=int,
        default=0,
        help='processes writing shards in parallel (default: 0, this one)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    if args.ann_file:
        try:  # the rules of the dataset: UTF-8, inside root, each once
            paths = read_file_list(args.ann_file)
        except FileListError as err:
            raise SystemExit(f'error: {err}') from None
    else:
        paths = list_images(args.root, args.extensions)
    if not paths:
        raise SystemExit(f'no image under {args.root!r}')
    ann_file = osp.join(args.out_dir, args.prefix + '.txt')
    if osp.exists(ann_file):
        raise SystemExit(f'{ann_file!r} exists: the folder holds a packed '
                         'set already; choose another out_dir or prefix')
    pack_zip_shards(args.root, paths, args.out_dir, args.prefix,
                    args.images_per_shard, args.num_workers)
    shards = -(-len(paths) // args.images_per_shard)
    print(f'{len(paths)} images packed into {shards} zip archive(s) in '
          f'{args.out_dir!r}, file list {ann_file!r} '
          f'({time.perf_counter() - start:.1f} s)')


if __name__ == '__main__':
    main()
