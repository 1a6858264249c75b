# Copyright (c) mmpixpro contributors. All rights reserved.
"""The checkpoints of a work directory: the newest, and all of them."""
import glob
import os.path as osp
from typing import List, Optional

# the file in a work dir that names the newest checkpoint (mmengine's)
LAST_CHECKPOINT = 'last_checkpoint'
CHECKPOINT_EXT = '.pth'


class LastCheckpointError(FileNotFoundError):
    """``last_checkpoint`` names something that is not a checkpoint file."""


def latest_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``work_dir/last_checkpoint`` names.

    Args:
        work_dir (str): A run's work directory.

    Returns:
        str | None: The path; None when there is no ``last_checkpoint`` or
        the file it names is gone (e.g. removed by hand).

    Raises:
        LastCheckpointError: If ``last_checkpoint`` names a folder.
    """
    pointer = osp.join(work_dir, LAST_CHECKPOINT)
    try:
        with open(pointer, encoding='utf-8') as f:
            path = f.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if osp.isdir(path):
        raise LastCheckpointError(
            f'{pointer} names {path!r}, which is a folder, not a checkpoint '
            f'file. Put the path of a *{CHECKPOINT_EXT} file in it, or '
            'delete it to start over.')
    return path if osp.isfile(path) else None


def saved_checkpoints(work_dir: str) -> List[str]:
    """The checkpoint files a run left in ``work_dir`` (not its sub-folders).

    Args:
        work_dir (str): A run's work directory.

    Returns:
        list[str]: Sorted paths of ``*.pth`` files, plus
        ``last_checkpoint`` if present.
    """
    found = sorted(glob.glob(osp.join(glob.escape(work_dir),
                                      '*' + CHECKPOINT_EXT)))
    pointer = osp.join(work_dir, LAST_CHECKPOINT)
    return found + ([pointer] if osp.isfile(pointer) else [])
