# Copyright (c) mmpixpro contributors. All rights reserved.
"""File lists (``ann_file``): one image path per line, relative to the
image root, as mmpretrain's annotation files.

A run that reads a file list does not walk the image tree at start; the
list is written once by ``tools/dataset_converters/make_file_list.py``
(:func:`write_file_list`), in the order the folder search would give, so
both give the same samples in the same order.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence

import mmengine.fileio as fileio

from mmpixpro.export.checkpoint import write_atomically


class FileListError(ValueError):
    """A path cannot be written to (or read from) a file list."""


def read_file_list(ann_file: str,
                   backend_args: Optional[dict] = None) -> List[str]:
    """Read a file list: one path per line, the first token of each line.

    ImageNet-style ``path label`` lines (mmpretrain's ``meta/train.txt``)
    work as they are; blank lines are skipped. The list is read through
    mmengine's file backends, so it may live on an object store.

    Args:
        ann_file (str): The text file.
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None (inferred from the path; local for plain
            paths).

    Returns:
        list[str]: The paths, in file order.

    Raises:
        FileNotFoundError: Naming ``ann_file`` if it does not exist.
    """
    if not fileio.exists(ann_file, backend_args=backend_args):
        raise FileNotFoundError(f'ann_file {ann_file!r} does not exist')
    text = fileio.get_text(ann_file, backend_args=backend_args)
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def check_listable(paths: Sequence[str]) -> None:
    """Refuse paths that a file list cannot hold.

    A line is split at white space (the ``path label`` convention), so a
    path with a space, tab or line break would be cut.

    Args:
        paths (Sequence[str]): Relative image paths.

    Raises:
        FileListError: Naming the first such paths and their number.
    """
    bad = [p for p in paths if len(p.split()) != 1 or p != p.strip()]
    if bad:
        raise FileListError(
            f'{len(bad)} image path(s) hold white space, which a file list '
            f'(one "path [label]" per line) cannot hold: {bad[:5]}; rename '
            'them or train from the folder.')


def write_file_list(paths: Sequence[str], out: str) -> None:
    """Write ``paths`` one per line to ``out``, atomically.

    The list (UTF-8) is written to ``out + '.tmp'`` and renamed
    (:func:`mmpixpro.export.checkpoint.write_atomically`), so ``out`` is
    either absent or complete.

    Args:
        paths (Sequence[str]): Relative image paths, in training order.
        out (str): The file to write (its folder is created).

    Raises:
        FileListError: If a path holds white space.
    """
    check_listable(paths)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    write_atomically(out, ''.join(p + '\n' for p in paths), 'utf-8')
