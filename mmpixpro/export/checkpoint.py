# Copyright (c) mmpixpro contributors. All rights reserved.
"""Checkpoint I/O: read without running code, write without half files.

Every read goes through ``torch.load(weights_only=True)``: tensors,
containers and plain scalars only. The allow-list on top of that holds one
type, :class:`argparse.Namespace` (official PixPro checkpoints keep their
command-line options in one): it rebuilds as a bare attribute bag from
values that are themselves restricted. It never holds ``getattr`` or
reconstructors of arbitrary classes: those are what lets a pickle call any
function. A file that needs them is refused
(:class:`CheckpointRefusedError`); a file that is not a checkpoint at all
(truncated, empty, random bytes) is reported as corrupt
(:class:`CheckpointCorruptError`).

Writes (:func:`write_atomically`, and the Runner's checkpoint saves) go to
``<path>.tmp`` first and are renamed: ``os.replace`` is atomic within one
file system, so a crash leaves the old file or the new one, never half.

Needs torch only (no mmengine), so the export tools run in a detectron2
environment.
"""
import argparse
import math
import os
import os.path as osp
import pickle
from typing import Any, Dict, List, Mapping, Optional, Union

import torch
from torch import Tensor

BACKBONE_PREFIX = 'backbone.'
FPN_PREFIX = 'fpn.'
DDP_PREFIX = 'module.'  # DistributedDataParallel
TMP_SUFFIX = '.tmp'
# the only non-builtin types a checkpoint may contain
SAFE_GLOBALS = (argparse.Namespace, )
# globals that mark a checkpoint of plain mmengine (message hub buffers)
_MMENGINE_MARKERS = ('mmengine.', 'builtins.getattr')
# what torch raises for files that are not (whole) checkpoints
_CORRUPT_ERRORS = (EOFError, KeyError, ValueError, pickle.UnpicklingError)
_ZIP_ERROR_WORDS = ('zip archive', 'PytorchStreamReader', 'corrupted')


class CheckpointRefusedError(RuntimeError):
    """A checkpoint needs arbitrary unpickling and is not loaded."""


class CheckpointCorruptError(RuntimeError):
    """A file is not a complete checkpoint (truncated, empty, garbage)."""


def unsafe_globals(path: str) -> List[str]:
    """Globals the pickle of ``path`` needs beyond weights-only types.

    Args:
        path (str): Checkpoint file.

    Returns:
        list[str]: e.g. ``['builtins.getattr', ...]``; empty if torch cannot
        tell (the file is not a zip checkpoint).
    """
    try:
        return list(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except Exception:  # legacy (non-zip) format or not a checkpoint at all
        return []


def refusal_message(path: str, reason: str) -> str:
    """Explain why ``path`` is not loaded and what to do instead.

    Args:
        path (str): Checkpoint file.
        reason (str): First line of torch's error.

    Returns:
        str: A message for the user.
    """
    allowed = {f'{t.__module__}.{t.__qualname__}' for t in SAFE_GLOBALS}
    needed = [g for g in unsafe_globals(path) if g not in allowed]
    shown = ', '.join(needed[:6]) or reason
    msg = (f'Refusing to load {path!r}: unpickling it would need {shown}, '
           'and such objects can run arbitrary code (torch.load with '
           'weights_only=True refuses them; mmpixpro never turns that off). ')
    if any(g.startswith(_MMENGINE_MARKERS) for g in needed):
        msg += ('It looks like a checkpoint written by plain mmengine (its '
                'message hub pickles HistoryBuffer objects through getattr). '
                'If the file is your own, convert it once: '
                '`from mmpixpro.engine import make_checkpoint_plain; '
                f'make_checkpoint_plain({path!r}, NEW_PATH)` and resume from '
                'NEW_PATH (runs of mmpixpro configs write plain checkpoints '
                'through SafeCheckpointHook).')
    else:
        msg += ('If you trust the file, re-save only its weights in a '
                'separate session: `torch.save({"state_dict": '
                'torch.load(p, weights_only=False)["state_dict"]}, '
                'new_path)` and load new_path.')
    return msg


def _is_refusal(err: Exception) -> bool:
    """Whether torch refused a global (not: failed to parse the file)."""
    return (isinstance(err, pickle.UnpicklingError)
            and 'Unsupported global' in str(err))


def _is_corrupt(err: Exception) -> bool:
    """Whether torch failed because the file is not a whole checkpoint."""
    if isinstance(err, RuntimeError):
        return any(word in str(err) for word in _ZIP_ERROR_WORDS)
    if isinstance(err, OSError):  # e.g. a seek past the end of a cut file
        return not isinstance(err, (PermissionError, FileNotFoundError))
    return isinstance(err, _CORRUPT_ERRORS)


def safe_load(path: str, map_location: Union[str, Any] = 'cpu') -> Any:
    """Load a checkpoint with ``weights_only=True`` and the allow-list.

    Args:
        path (str): Local checkpoint file.
        map_location (str | callable): As for ``torch.load``.
            Defaults to 'cpu'.

    Returns:
        Any: The loaded object (usually a dict).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        CheckpointRefusedError: If the file needs arbitrary unpickling.
        CheckpointCorruptError: If the file is truncated, empty or not a
            checkpoint ("corrupt or truncated: PATH (cause)").
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint {path!r} does not exist')
    try:
        with torch.serialization.safe_globals(list(SAFE_GLOBALS)):
            return torch.load(
                path, map_location=map_location, weights_only=True)
    except Exception as err:
        cause = (str(err).strip().splitlines() or [repr(err)])[0]
        if _is_refusal(err):
            raise CheckpointRefusedError(refusal_message(path, cause)) from err
        if _is_corrupt(err):
            size = osp.getsize(path)
            raise CheckpointCorruptError(
                f'corrupt or truncated: {path} ({size} bytes; '
                f'{type(err).__name__}: {cause[:200] or "no detail"})'
            ) from err
        raise


def load_state_dict(path: str) -> Dict[str, Tensor]:
    """Load the ``state_dict`` of a checkpoint safely (weights only).

    Args:
        path (str): A Runner checkpoint (``{'state_dict': ...}``) or a bare
            state_dict file.

    Returns:
        dict[str, Tensor]: The state_dict, ``module.`` prefixes removed.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If the file is not a weights-only checkpoint, or holds
            no state_dict of tensors.
    """
    try:
        ckpt = safe_load(path)
    except (CheckpointRefusedError, CheckpointCorruptError) as err:
        raise ValueError(str(err)) from err
    state_dict = ckpt.get('state_dict', ckpt) if isinstance(ckpt,
                                                             dict) else None
    if not isinstance(state_dict, Mapping):
        raise ValueError(f'{path}: expected a dict with a "state_dict", got '
                         f'{type(ckpt).__name__}.')
    non_tensor = [k for k, v in state_dict.items()
                  if not isinstance(v, Tensor)]
    if non_tensor:
        raise ValueError(f'{path}: "state_dict" has non-tensor entries, '
                         f'e.g. {non_tensor[0]!r}.')
    if state_dict and all(k.startswith(DDP_PREFIX) for k in state_dict):
        return strip_prefix(state_dict, DDP_PREFIX)
    return dict(state_dict)


def strip_prefix(state_dict: Mapping[str, Tensor],
                 prefix: str) -> Dict[str, Tensor]:
    """The entries under ``prefix``, with the prefix removed.

    Args:
        state_dict (Mapping[str, Tensor]): Full state_dict.
        prefix (str): e.g. ``'backbone.'``.

    Returns:
        dict[str, Tensor]: The selected entries.
    """
    return {k[len(prefix):]: v for k, v in state_dict.items()
            if k.startswith(prefix)}


def non_finite_entries(obj: Any, name: str = '') -> List[str]:
    """Names of the tensors and floats in ``obj`` holding NaN or inf.

    Args:
        obj (Any): A checkpoint (nested dicts, lists, tensors, scalars).
        name (str): Prefix of the reported names. Defaults to ''.

    Returns:
        list[str]: e.g. ``['state_dict.backbone.bn1.running_var']``.
    """
    if isinstance(obj, Tensor):
        if obj.is_floating_point() or obj.is_complex():
            return [] if bool(torch.isfinite(obj).all()) else [name]
        return []
    if isinstance(obj, float):
        return [] if math.isfinite(obj) else [name]
    if isinstance(obj, Mapping):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return []
    found = []
    for key, value in items:
        found += non_finite_entries(value, f'{name}.{key}' if name else
                                    str(key))
    return found


def write_atomically(path: str,
                     text: str,
                     encoding: Optional[str] = None) -> None:
    """Write ``text`` to ``path`` through ``path.tmp`` and a rename.

    Args:
        path (str): Target file.
        text (str): Its whole content.
        encoding (str, optional): Text encoding. Defaults to None (the
            locale's, as ``open`` and mmengine's readers use).
    """
    tmp = path + TMP_SUFFIX
    with open(tmp, 'w', encoding=encoding) as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
