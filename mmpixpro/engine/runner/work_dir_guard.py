# Copyright (c) mmpixpro contributors. All rights reserved.
"""One run per work dir, and no fresh start over a run's checkpoints.

Two runs of one config in the same ``work_dir`` overwrite each other's
checkpoints, and so does a restarted job that forgot ``--resume``. Before
training:

* the work dir is locked (:class:`WorkDirLock`, an advisory ``flock`` on
  ``work_dir/.mmpixpro.lock``): a second run while the first is alive is
  refused, naming the holder (pid, host, start time, command). The kernel
  drops the lock when its process dies, so a killed run leaves no stale
  lock (the file stays, unlocked);
* a fresh start (no resume) in a work dir holding checkpoints is refused
  (:func:`refuse_fresh_start`) unless the config sets
  ``overwrite_work_dir = True`` (``tools/train.py --overwrite``).
"""
import json
import os
import os.path as osp
import socket
import sys
import time
from typing import Optional

from mmengine.dist import broadcast_object_list, is_main_process

from mmpixpro.checkpoint import latest_checkpoint, saved_checkpoints

try:
    import fcntl
except ImportError:  # not POSIX: runs are not locked
    fcntl = None

LOCK_FILE = '.mmpixpro.lock'
_SHOW = 3  # checkpoint files named in a refusal


class WorkDirInUseError(RuntimeError):
    """Another live run holds the work dir."""


class WorkDirNotEmptyError(FileExistsError):
    """A fresh run would overwrite the checkpoints of an earlier one."""


class WorkDirLock:
    """An exclusive, non-blocking ``flock`` on ``work_dir/.mmpixpro.lock``.

    Args:
        work_dir (str): The run's work directory (created if missing).
    """

    def __init__(self, work_dir: str) -> None:
        self.path = osp.join(work_dir, LOCK_FILE)
        self._file = None

    def acquire(self) -> None:
        """Take the lock and write who holds it.

        Raises:
            WorkDirInUseError: If a live process holds it, naming it.
        """
        if fcntl is None or self._file is not None:
            return
        os.makedirs(osp.dirname(self.path), exist_ok=True)
        handle = open(self.path, 'a+', encoding='utf-8')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or 'unknown process'
            handle.close()
            raise WorkDirInUseError(
                f'{osp.dirname(self.path)} is in use by another run '
                f'({holder}). Wait for it, stop it, or give this run another '
                '--work-dir.') from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(dict(
            pid=os.getpid(), host=socket.gethostname(),
            started=time.strftime('%Y-%m-%d %H:%M:%S'),
            command=' '.join(sys.argv))))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Drop the lock (closing the file releases the flock)."""
        if self._file is not None:
            self._file.close()
            self._file = None


def refuse_fresh_start(work_dir: str, resuming: bool,
                       overwrite: bool) -> None:
    """Refuse to start from scratch over an earlier run's checkpoints.

    Args:
        work_dir (str): The run's work directory.
        resuming (bool): Whether the run resumes.
        overwrite (bool): The config's ``overwrite_work_dir``.

    Raises:
        WorkDirNotEmptyError: Naming the checkpoints and the ways on.
    """
    found = [] if resuming or overwrite else saved_checkpoints(work_dir)
    if not found:
        return
    names = ', '.join(osp.basename(p) for p in found[:_SHOW])
    more = f' (+{len(found) - _SHOW} more)' if len(found) > _SHOW else ''
    raise WorkDirNotEmptyError(
        f'{work_dir} holds checkpoints of an earlier run ({names}{more}) and '
        'this run would start from scratch and overwrite them. Continue it '
        'with `tools/train.py CONFIG --resume` (or --resume-or-start for '
        're-queued jobs), give this run another --work-dir, or pass '
        '--overwrite (config: overwrite_work_dir = True) to replace them.')


def guard_message(work_dir: str, resuming: bool, overwrite: bool,
                  lock: WorkDirLock) -> Optional[str]:
    """Run both guards; the error text, or None when the run may go on.

    Args:
        work_dir (str): The run's work directory.
        resuming (bool): Whether the run resumes.
        overwrite (bool): The config's ``overwrite_work_dir``.
        lock (WorkDirLock): Acquired here when the run may go on.

    Returns:
        str | None: ``'ErrorName: text'`` of the refusal, if any.
    """
    try:
        lock.acquire()
        refuse_fresh_start(work_dir, resuming, overwrite)
    except (WorkDirInUseError, WorkDirNotEmptyError) as err:
        lock.release()
        return f'{type(err).__name__}: {err}'
    return None


_REFUSALS = {cls.__name__: cls for cls in (WorkDirInUseError,
                                           WorkDirNotEmptyError)}


class WorkDirGuardMixin:
    """``train`` holds the work dir (:class:`WorkDirLock`) and refuses a
    fresh start over earlier checkpoints (:func:`refuse_fresh_start`).

    The main process decides and broadcasts the decision, so every rank of
    a distributed run raises the same error instead of waiting at the
    first collective.
    """

    def train(self):
        """Guard the work dir, then mmengine's ``train``; unlock at the end.

        Returns:
            nn.Module: The trained model.
        """
        lock = WorkDirLock(self.work_dir)
        refusal = [None]
        if is_main_process():
            resuming = bool(self._resume and (
                self._load_from or latest_checkpoint(self.work_dir)))
            refusal[0] = guard_message(
                self.work_dir, resuming,
                bool(self.cfg.get('overwrite_work_dir', False)), lock)
        broadcast_object_list(refusal)
        if refusal[0] is not None:
            name, text = refusal[0].split(': ', 1)
            raise _REFUSALS[name](text)
        try:
            return super().train()
        finally:
            lock.release()
