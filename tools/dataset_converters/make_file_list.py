# Copyright (c) mmpixpro contributors. All rights reserved.
"""Write the file list (``ann_file``) of an image folder.

The list holds one path per line, relative to the folder, found by the
same search as ``UnlabeledImageFolder`` without ``ann_file`` (sorted;
hidden files and folders skipped; linked folders followed once, link
loops cut; extensions matched case-insensitively; GIFs counted and
passed over). A dataset given the list therefore has the same samples in
the same order, without walking the tree at start.

Example::

    python tools/dataset_converters/make_file_list.py \\
        data/imagenet/train data/imagenet/meta/train_files.txt

then ``data_root='data/imagenet/'``, ``data_prefix=dict(img_path='train/')``
and ``ann_file='meta/train_files.txt'`` in the config.
"""
import argparse
import time
from typing import Optional, Sequence

from mmpixpro.datasets import IMG_EXTENSIONS, list_images, write_file_list


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write the file list of an image folder.')
    parser.add_argument('root', help='image folder (the image root)')
    parser.add_argument('out', help='file list to write')
    parser.add_argument(
        '--extensions',
        nargs='+',
        default=list(IMG_EXTENSIONS),
        help='image extensions (default: those of UnlabeledImageFolder)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    paths = list_images(args.root, args.extensions)
    if not paths:
        raise SystemExit(f'no image under {args.root!r}')
    write_file_list(paths, args.out)
    print(f'{len(paths)} images listed in {args.out!r} '
          f'({time.perf_counter() - start:.1f} s)')


if __name__ == '__main__':
    main()
