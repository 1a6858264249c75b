# Copyright (c) mmpixpro contributors. All rights reserved.
"""Load checkpoints without running code from the file.

Every checkpoint goes through ``torch.load(weights_only=True)``: tensors,
containers and plain scalars only. The allow-list on top of that holds one
type, :class:`argparse.Namespace` (official PixPro checkpoints keep their
command-line options in one): it rebuilds as a bare attribute bag from
values that are themselves restricted. It never holds ``getattr`` or
reconstructors of arbitrary classes: those are exactly what lets a pickle
call any function.

Checkpoints written by plain mmengine (without :class:`PlainCheckpointHook`)
store ``HistoryBuffer`` objects whose pickle calls ``getattr``; they are
refused with a message that says how to get going again.
"""
import argparse
import os.path as osp
import pickle
from typing import Any, List, Union

import torch

# the only non-builtin types a checkpoint may contain
SAFE_GLOBALS = (argparse.Namespace, )

# globals that mark a checkpoint of plain mmengine (message hub buffers)
_MMENGINE_MARKERS = ('mmengine.', 'builtins.getattr')


class CheckpointRefusedError(RuntimeError):
    """A checkpoint needs arbitrary unpickling and is not loaded."""


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
    needed = [g for g in unsafe_globals(path)
              if g not in {f'{t.__module__}.{t.__qualname__}'
                           for t in SAFE_GLOBALS}]
    shown = ', '.join(needed[:6]) or reason
    msg = (f'Refusing to load {path!r}: unpickling it would need {shown}, '
           'and such objects can run arbitrary code (torch.load with '
           'weights_only=True refuses them; mmpixpro never turns that off). ')
    if any(g.startswith(_MMENGINE_MARKERS) for g in needed):
        msg += ('It looks like a checkpoint written by plain mmengine (its '
                'message hub pickles HistoryBuffer objects through getattr). '
                'If the file is your own, convert it once: '
                '`from mmpixpro.utils import make_checkpoint_plain; '
                f'make_checkpoint_plain({path!r}, NEW_PATH)` and resume from '
                'NEW_PATH (new runs write plain checkpoints through '
                'PlainCheckpointHook, on by default in mmpixpro configs).')
    else:
        msg += ('If you trust the file, re-save only its weights in a '
                'separate session: `torch.save({"state_dict": '
                'torch.load(p, weights_only=False)["state_dict"]}, '
                'new_path)` and load new_path.')
    return msg


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
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint {path!r} does not exist')
    try:
        with torch.serialization.safe_globals(list(SAFE_GLOBALS)):
            return torch.load(
                path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        reason = str(err).strip().splitlines()[0]
        raise CheckpointRefusedError(refusal_message(path, reason)) from err


def make_checkpoint_plain(src: str, dst: str) -> None:
    """Rewrite a plain-mmengine checkpoint that YOU wrote as a safe one.

    Only for files of your own: ``src`` is unpickled without restrictions
    (``weights_only=False``), so it could run code. The message hub and
    meta are turned into plain types (as :class:`PlainCheckpointHook`
    writes them) and the result is saved to ``dst``, which then loads and
    resumes with ``weights_only=True``.

    Args:
        src (str): Checkpoint written by plain mmengine.
        dst (str): Output path.
    """
    from mmpixpro.engine.hooks.plain_checkpoint_hook import to_plain
    checkpoint = torch.load(src, map_location='cpu', weights_only=False)
    for key in ('message_hub', 'meta'):
        if key in checkpoint:
            checkpoint[key] = to_plain(checkpoint[key])
    torch.save(checkpoint, dst)
