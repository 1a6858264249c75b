# Copyright (c) mmpixpro contributors. All rights reserved.
"""File lists (``ann_file``): one image path per line, relative to the
image root, as mmpretrain's annotation files.

A run that reads a file list does not walk the image tree at start; the
list is written once by ``tools/dataset_converters/make_file_list.py``
(:func:`write_file_list`), in the order the folder search would give, so
both give the same samples in the same order.
"""
import codecs
import logging
import os
import os.path as osp
import posixpath
import re
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import mmengine.fileio as fileio
from mmengine.logging import print_log

from mmpixpro.checkpoint import write_atomically

# line breaks of a file list: those of the file's bytes (not the Unicode
# separators of str.splitlines), so line numbers match an editor's
_LINE_BREAK = re.compile(r'\r\n|\r|\n')
# a line number and the path (first token) on it
Entry = Tuple[int, str]


class FileListError(ValueError):
    """A path cannot be written to (or read from) a file list."""


def read_file_list(ann_file: str,
                   backend_args: Optional[dict] = None,
                   warn_duplicates: bool = True) -> List[str]:
    """Read a file list: one path per line, the first token of each line.

    ImageNet-style ``path label`` lines (mmpretrain's ``meta/train.txt``)
    work as they are; blank lines are skipped. The list is read through
    mmengine's file backends, so it may live on an object store. Every
    reader (the dataset, the data check of ``tools/train.py``,
    ``pack_zip.py``) goes through this function, so one set of rules holds:

    * Encoding: UTF-8, what :func:`write_file_list` writes; a UTF-8
      byte-order mark at the start (some Windows editors write one) is
      dropped. Any other encoding is refused naming the file and the
      first line that is not UTF-8.
    * Paths are relative to the image root and stay in it: an absolute
      path, or one that ``..`` takes out of the root, is refused naming
      the line. Refused, not skipped: such a line means the list was
      written for another root or machine, and skipping it would train
      on part of the data without a word.
    * A path listed again (the same string) is dropped, the first line
      kept, and the number dropped is logged as a warning: a list
      concatenated twice would otherwise read each image twice an epoch.
      Repeat samples with a dataset wrapper, not in the list.

    Args:
        ann_file (str): The text file.
        backend_args (dict, optional): mmengine file backend arguments.
            Defaults to None (inferred from the path; local for plain
            paths).
        warn_duplicates (bool): Log the duplicate lines dropped. Defaults
            to True (False for a second read of the same list).

    Returns:
        list[str]: The paths, in file order, each once.

    Raises:
        FileNotFoundError: Naming ``ann_file`` if it does not exist.
        FileListError: Naming the file and line of a line that is not
            UTF-8 or leaves the image root.
    """
    if not fileio.exists(ann_file, backend_args=backend_args):
        raise FileNotFoundError(f'ann_file {ann_file!r} does not exist')
    data = fileio.get(ann_file, backend_args=backend_args)
    lines = _LINE_BREAK.split(_decode(data, ann_file))
    # the first token of each non-blank line (fast: 1.3M lines of ImageNet)
    paths = [line.split(None, 1)[0] for line in lines
             if line and not line.isspace()]
    _check_inside_root(paths, lines, ann_file)
    unique = list(dict.fromkeys(paths))
    if warn_duplicates and len(unique) < len(paths):
        _log_duplicates(lines, ann_file)
    return unique


def _decode(data: bytes, ann_file: str) -> str:
    """The text of a file list: UTF-8, a leading byte-order mark dropped."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as err:
        # the bytes before the first bad one are valid UTF-8
        line = len(_LINE_BREAK.split(data[:err.start].decode('utf-8')))
        raise FileListError(
            f'file list {ann_file!r}, line {line}: not UTF-8 ({err.reason} '
            f'at byte {err.start}); file lists are UTF-8: re-encode it, '
            f'e.g. iconv -f latin1 -t utf-8') from None


def _numbered(lines: Sequence[str]) -> Iterator[Entry]:
    """``(line number, first token)`` of each non-blank line (to name
    lines in messages)."""
    for number, line in enumerate(lines, 1):
        tokens = line.split(None, 1)
        if tokens:
            yield number, tokens[0]


def _leaves_root(path: str) -> bool:
    """Whether ``path`` is absolute or ``..`` takes it out of its root."""
    return path.startswith('/') or ('..' in path and posixpath.normpath(
        path).split('/')[0] == '..')


def _check_inside_root(paths: Sequence[str], lines: Sequence[str],
                       ann_file: str) -> None:
    """Refuse the lines whose path leaves the image root."""
    if not any(_leaves_root(p) for p in paths):
        return
    bad = [(n, p) for n, p in _numbered(lines) if _leaves_root(p)]
    shown = ', '.join(f'line {n}: {p!r}' for n, p in bad[:5])
    raise FileListError(
        f'file list {ann_file!r}: {len(bad)} line(s) leave the image root '
        f'(absolute, or out of it through ..): {shown}; paths of a file '
        'list are relative to the image root (data_root joined with '
        "data_prefix['img_path']).")


def _log_duplicates(lines: Sequence[str], ann_file: str) -> None:
    """Warn of the lines that repeat an earlier path, naming a few."""
    first: Dict[str, int] = {}
    repeats: List[Entry] = []
    for number, path in _numbered(lines):
        if path in first:
            repeats.append((number, path))
        else:
            first[path] = number
    shown = ', '.join(f'line {n}: {p!r} (first on line {first[p]})'
                      for n, p in repeats[:3])
    print_log(
        f'file list {ann_file!r}: {len(repeats)} duplicate line(s) dropped, '
        f'each image is read once an epoch: {shown}',
        logger='current', level=logging.WARNING)


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
    (:func:`mmpixpro.checkpoint.write_atomically`), so ``out`` is
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
