# Copyright (c) mmpixpro contributors. All rights reserved.
"""Write checkpoint files (and the files naming them) without half files.

Every write goes to ``<path>.tmp`` first and is renamed: ``os.replace`` is
atomic within one file system, so a crash leaves the old file or the new
one, never half of one. A full disk is reported as such, naming the file,
the space left and what the save needs.
"""
import errno
import os
import os.path as osp
import shutil
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

import torch

TMP_SUFFIX = '.tmp'


class CheckpointSpaceError(OSError):
    """The disk filled up while a checkpoint was written."""


def out_of_space_message(path: str, kept: Optional[str] = None) -> str:
    """Explain a full disk during the save of ``path``.

    Args:
        path (str): The file being written.
        kept (str, optional): The newest complete checkpoint, whose size
            estimates what one save needs.

    Returns:
        str: Free bytes, the estimate, and the ways out.
    """
    folder = osp.dirname(osp.abspath(path))
    free = shutil.disk_usage(folder).free
    msg = (f'No space left on device while writing {path} ({free} bytes '
           f'free in {folder}); the previous checkpoints are kept.')
    if kept and osp.isfile(kept):
        size = osp.getsize(kept)
        msg += (f' A save writes the new file completely before it removes '
                f'an outdated one, so it needs about {size} bytes (the size '
                f'of {osp.basename(kept)}) free beside the kept checkpoints: '
                'with max_keep_ckpts=1 the disk must hold two checkpoints.')
    return msg + ' Free space (or move work_dir) and resume.'


@contextmanager
def atomic_target(path: str,
                  commit: Optional[Callable[[], bool]] = None,
                  kept: Optional[str] = None) -> Iterator[str]:
    """Yield ``path.tmp`` to write; rename it to ``path`` on success.

    On any error the temporary file is removed and the error re-raised (a
    full disk as :class:`CheckpointSpaceError`); ``path`` is untouched.

    Args:
        path (str): The final file.
        commit (callable, optional): Whether this process renames (e.g.
            only the main process of a distributed run). Defaults to always.
        kept (str, optional): The newest complete checkpoint, named in an
            out-of-space error.

    Yields:
        str: The temporary path to write.
    """
    tmp = path + TMP_SUFFIX
    try:
        yield tmp
        if commit is None or commit():
            os.replace(tmp, path)
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise CheckpointSpaceError(
                errno.ENOSPC, out_of_space_message(path, kept)) from err
        raise
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def write_atomically(path: str,
                     text: str,
                     encoding: Optional[str] = None) -> None:
    """Write ``text`` to ``path`` through ``path.tmp``, fsync and a rename.

    Args:
        path (str): Target file.
        text (str): Its whole content.
        encoding (str, optional): Text encoding. Defaults to None (the
            locale's, as ``open`` and mmengine's readers use).
    """
    with atomic_target(path) as tmp:
        with open(tmp, 'w', encoding=encoding) as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def save_atomically(obj: Any, path: str) -> None:
    """``torch.save`` through ``path.tmp`` and a rename.

    torch writes a zip archive with a CRC-32 of every record, which
    :func:`~.archive.check_archive` verifies on every load.

    Args:
        obj (Any): Tensors and plain containers.
        path (str): Output file.
    """
    with atomic_target(path) as tmp:
        torch.save(obj, tmp)
