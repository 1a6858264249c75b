# Copyright (c) mmpixpro contributors. All rights reserved.
"""Read checkpoints without running code.

Every read goes through ``torch.load(weights_only=True)`` (passed
explicitly, so ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` in the environment
cannot turn it off): tensors, containers and plain scalars only. The
allow-list on top of that holds one type, :class:`argparse.Namespace`
(official PixPro checkpoints keep their command-line options in one): it
rebuilds as a bare attribute bag from values that are themselves
restricted. It never holds ``getattr`` or reconstructors of arbitrary
classes: those are what lets a pickle call any function.

Before torch reads a zip checkpoint, :func:`~.archive.check_archive`
verifies every record against its CRC-32 and bounds how far compressed
records may inflate. Outcomes:

* a file that needs a forbidden global is refused
  (:class:`CheckpointRefusedError`), naming the globals, on every wording
  torch uses, in the zip and the legacy format;
* a file that is not a whole, intact checkpoint (truncated, empty, random
  bytes, a damaged record, a storage of the wrong size) is
  :class:`CheckpointCorruptError`: ``corrupt or truncated: PATH (cause)``.
"""
import argparse
import os.path as osp
import pickle
import re
from typing import Any, Dict, List, Mapping, Optional, Union

import torch
from torch import Tensor

from .archive import check_archive
from .errors import CheckpointCorruptError, CheckpointRefusedError, corrupt
from .prefixes import DDP_PREFIX, strip_prefix

# the only non-builtin types a checkpoint may contain
SAFE_GLOBALS = (argparse.Namespace, )
# globals of a plain-mmengine checkpoint (message hub buffers) and nothing
# else: only then is converting the user's own file offered
_MMENGINE_GLOBALS = ('mmengine.', 'builtins.getattr', 'numpy.',
                     'collections.OrderedDict', '_codecs.encode')
# what torch raises for files that are not (whole) checkpoints
_CORRUPT_ERRORS = (EOFError, KeyError, ValueError, IndexError,
                   pickle.UnpicklingError, UnicodeDecodeError)
_DEVICE_WORDS = ('CUDA', 'device')  # map_location problems: not corruption
# torch names the global as "GLOBAL module.name" (upper case; its prose
# also says "allowed global by default")
_GLOBAL_IN_MESSAGE = re.compile(r'\bGLOBAL\s+(\w+(?:\.\w+)+)')
# torch <= 2.13: "Unsupported global: GLOBAL x.y"; 2.14: "unsupported
# GLOBAL x.y whose module x is blocked"
_REFUSAL_WORDS = re.compile(r'unsupported global', re.IGNORECASE)


def unsafe_globals(path: str, torch_message: str = '') -> List[str]:
    """Globals the pickle of ``path`` needs beyond weights-only types.

    Args:
        path (str): Checkpoint file.
        torch_message (str): torch's refusal, read when the file is not a
            zip checkpoint (legacy format). Defaults to ''.

    Returns:
        list[str]: e.g. ``['posix.system']``, without the allowed ones.
    """
    try:
        found = list(torch.serialization.get_unsafe_globals_in_checkpoint(
            path))
    except Exception:  # legacy (non-zip) format: torch's message names one
        found = []
    found += [g for g in _GLOBAL_IN_MESSAGE.findall(torch_message)
              if g not in found]
    allowed = {f'{t.__module__}.{t.__qualname__}' for t in SAFE_GLOBALS}
    return [g for g in found if g not in allowed]


def refusal_message(path: str, needed: List[str]) -> str:
    """Explain that ``path`` is refused and which globals it needs.

    No advice to turn the check off is given: the only conversion offered
    is for a plain-mmengine checkpoint (its message hub), when nothing but
    mmengine's and numpy's globals are needed.

    Args:
        path (str): Checkpoint file.
        needed (list[str]): Forbidden globals it needs.

    Returns:
        str: A message for the user.
    """
    shown = ', '.join(needed[:6]) or 'a global outside the allow-list'
    msg = (f'Refused to load {path!r}: unpickling it would call {shown}, '
           'and such objects can run arbitrary code. mmpixpro loads '
           'tensors and plain values only (torch.load(weights_only=True)) '
           'and nothing of the file was run.')
    if needed and all(g.startswith(_MMENGINE_GLOBALS) for g in needed) and any(
            g.startswith(('mmengine.', 'builtins.getattr')) for g in needed):
        msg += (' It looks like a checkpoint written by plain mmengine (its '
                'message hub pickles HistoryBuffer objects through getattr). '
                'If the file is your own, convert it once: '
                '`from mmpixpro.checkpoint import make_checkpoint_plain; '
                f'make_checkpoint_plain({path!r}, NEW_PATH)` and resume from '
                'NEW_PATH (runs of mmpixpro configs write plain checkpoints '
                'through SafeCheckpointHook).')
    return msg


def _is_refusal(err: Exception) -> bool:
    """Whether torch refused a global (not: failed to parse the file)."""
    return (isinstance(err, pickle.UnpicklingError)
            and bool(_REFUSAL_WORDS.search(str(err))))


def _is_corrupt(err: Exception) -> bool:
    """Whether torch failed because the file is not a whole checkpoint."""
    if isinstance(err, RuntimeError):  # bad zip, storage of a wrong size
        return not any(word in str(err) for word in _DEVICE_WORDS)
    if isinstance(err, OSError):  # e.g. a seek past the end of a cut file
        return not isinstance(err, (PermissionError, FileNotFoundError,
                                    IsADirectoryError))
    return isinstance(err, _CORRUPT_ERRORS)


def safe_load(path: str,
              map_location: Union[str, Any] = 'cpu',
              max_inflated: Optional[int] = None) -> Any:
    """Load a verified checkpoint with ``weights_only=True``.

    Args:
        path (str): Local checkpoint file.
        map_location (str | callable): As for ``torch.load``.
            Defaults to 'cpu'.
        max_inflated (int, optional): Bytes a compressed record may
            expand to; None: ``MMPIXPRO_CKPT_MAX_INFLATED_MB`` or 256 MiB.

    Returns:
        Any: The loaded object (usually a dict).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        IsADirectoryError: If ``path`` is a folder.
        CheckpointRefusedError: If the file needs arbitrary unpickling or
            inflates beyond the bound.
        CheckpointCorruptError: If the file is truncated, empty, damaged
            or not a checkpoint ("corrupt or truncated: PATH (cause)").
    """
    if osp.isdir(path):
        raise IsADirectoryError(f'checkpoint {path!r} is a folder, not a '
                                'checkpoint file')
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint {path!r} does not exist')
    check_archive(path, max_inflated)
    try:
        with torch.serialization.safe_globals(list(SAFE_GLOBALS)):
            return torch.load(
                path, map_location=map_location, weights_only=True)
    except Exception as err:
        message = str(err)
        if _is_refusal(err):
            raise CheckpointRefusedError(
                refusal_message(path, unsafe_globals(path, message))
            ) from None  # torch's text advises weights_only=False
        if _is_corrupt(err):
            cause = (message.strip().splitlines() or [repr(err)])[0]
            raise corrupt(path, osp.getsize(path),
                          f'{type(err).__name__}: {cause}') from err
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
