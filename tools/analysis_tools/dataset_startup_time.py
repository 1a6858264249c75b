# Copyright (c) mmpixpro contributors. All rights reserved.
"""Time the start of a dataset on a large generated folder.

Writes ``--num-images`` tiny PNGs (8x8, the same bytes each) into folders of
``--per-folder`` under ``--work-dir``, then times, in this process:

* building ``UnlabeledImageFolder`` by searching the folder;
* the converters: ``make_file_list.py``'s listing + writing, and
  ``pack_zip.py``'s packing into archives of ``--images-per-shard``;
* building the dataset from the file list, and from the packed list;
* the first read from one archive (its central directory is parsed once
  per process and archive).

Each dataset build is the median of ``--repeats``. The files were just
written, so the file system's caches are warm unless ``--drop-caches``
(root only: writes ``/proc/sys/vm/drop_caches`` before each folder search
and each list build) succeeds. Prints a Markdown table.

Example::

    python tools/analysis_tools/dataset_startup_time.py \\
        --work-dir /tmp/startup --num-images 100000
"""
import argparse
import io
import os
import os.path as osp
import platform
import shutil
import statistics
import time
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from mmpixpro.datasets import (IMG_EXTENSIONS, UnlabeledImageFolder,
                               ZipArchiveBackend, list_images,
                               pack_zip_shards, write_file_list)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Time dataset construction on a generated folder.')
    parser.add_argument('--work-dir', required=True,
                        help='scratch folder (created; removed at the end '
                        'unless --keep)')
    parser.add_argument('--num-images', type=int, default=100000)
    parser.add_argument('--per-folder', type=int, default=1000)
    parser.add_argument('--images-per-shard', type=int, default=10000)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--drop-caches', action='store_true',
                        help='drop the page, dentry and inode caches before '
                        'each folder search and list build (root only)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the generated files')
    return parser.parse_args(argv)


def tiny_png() -> bytes:
    """Bytes of an 8x8 RGB PNG."""
    buf = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), 128, np.uint8)).save(buf, 'PNG')
    return buf.getvalue()


def write_tree(root: str, num: int, per_folder: int) -> None:
    """``num`` copies of one tiny PNG, ``per_folder`` to a folder."""
    content = tiny_png()
    for i in range(num):
        folder = osp.join(root, f'c{i // per_folder:04d}')
        if i % per_folder == 0:
            os.makedirs(folder, exist_ok=True)
        with open(osp.join(folder, f'{i:08d}.png'), 'wb') as f:
            f.write(content)


def drop_caches() -> bool:
    """Drop the kernel's file caches; False where not permitted."""
    try:
        os.sync()
        with open('/proc/sys/vm/drop_caches', 'w') as f:
            f.write('3\n')
        return True
    except OSError:
        return False


def timed(fn: Callable[[], object]) -> Tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_time(fn: Callable[[], object], repeats: int,
                cold: bool) -> float:
    """Median seconds of ``fn`` (caches dropped before each if ``cold``)."""
    times: List[float] = []
    for _ in range(repeats):
        if cold:
            drop_caches()
        times.append(timed(fn)[0])
    return statistics.median(times)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    images = osp.join(args.work_dir, 'images')
    ann = osp.join(args.work_dir, 'meta', 'train.txt')
    packed = osp.join(args.work_dir, 'zip')
    cold = args.drop_caches and drop_caches()
    if args.drop_caches and not cold:
        print('caches could not be dropped (not root?): warm caches')
    t_write, _ = timed(lambda: write_tree(images, args.num_images,
                                          args.per_folder))
    rows = [('write the folder (not a start-up cost)', t_write)]
    rows.append(('dataset, folder search', median_time(
        lambda: UnlabeledImageFolder(data_root=images), args.repeats, cold)))

    def make_list() -> None:
        write_file_list(list_images(images, IMG_EXTENSIONS), ann)

    rows.append(('converter: make_file_list (search + write)',
                 median_time(make_list, 1, cold)))
    rows.append(('dataset, file list', median_time(
        lambda: UnlabeledImageFolder(
            data_root=args.work_dir, data_prefix=dict(img_path='images/'),
            ann_file='meta/train.txt'), args.repeats, cold)))
    paths = list_images(images, IMG_EXTENSIONS)
    t_pack, _ = timed(lambda: pack_zip_shards(
        images, paths, packed, images_per_shard=args.images_per_shard))
    rows.append(('converter: pack_zip (from the listing)', t_pack))
    rows.append(('dataset, zip file list', median_time(
        lambda: UnlabeledImageFolder(data_root=packed, ann_file='train.txt'),
        args.repeats, cold)))
    member = osp.join(packed, 'train-00000.zip@' + paths[0])
    rows.append((f'first read from an archive of '
                 f'{min(args.images_per_shard, len(paths))} images',
                 timed(lambda: ZipArchiveBackend().get(member))[0]))
    print(f'{len(paths)} files in {args.num_images // args.per_folder} '
          f'folders; {platform.machine()}, {os.cpu_count()} CPUs, '
          f'{"caches dropped" if cold else "warm caches"}, median of '
          f'{args.repeats} for the dataset builds\n')
    print('| step | seconds |\n|---|---|')
    for name, seconds in rows:
        print(f'| {name} | {seconds:.2f} |')
    if not args.keep:
        shutil.rmtree(args.work_dir)


if __name__ == '__main__':
    main()
