# Copyright (c) mmpixpro contributors. All rights reserved.
"""The message hub of a checkpoint as plain types, and back.

mmengine pickles ``HistoryBuffer`` objects whose pickle needs ``getattr``,
which ``torch.load(weights_only=True)`` (the only way mmpixpro loads)
refuses. :func:`to_plain` stores them as tagged dicts of lists, floats,
ints and strings; :func:`from_plain` rebuilds them after loading. mmengine
is needed to rebuild buffers only; without it (a torch-only export
environment) the plain form is kept.
"""
from typing import Any

import numpy as np
import torch

try:
    from mmengine.logging import HistoryBuffer
except ImportError:  # torch-only environment: nothing to rebuild into
    HistoryBuffer = None

_BUFFER_TAG = '__history_buffer__'  # marks a HistoryBuffer made plain


def to_plain(obj: Any) -> Any:
    """Turn history buffers and numpy values into plain Python types.

    Args:
        obj (Any): A (nested) message-hub state.

    Returns:
        Any: The same structure made of dicts, lists, scalars and strings.
    """
    if HistoryBuffer is not None and isinstance(obj, HistoryBuffer):
        logs, counts = obj.data
        return {
            _BUFFER_TAG: True,
            'log_history': logs.tolist(),
            'count_history': counts.tolist(),
            'max_length': obj.max_length,
        }
    if isinstance(obj, dict):
        return {key: to_plain(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_plain(value) for value in obj)
    if isinstance(obj, (np.ndarray, np.generic)):
        return obj.tolist()
    return obj


def from_plain(obj: Any) -> Any:
    """Inverse of :func:`to_plain` for history buffers.

    Args:
        obj (Any): A structure written by :func:`to_plain`.

    Returns:
        Any: The structure with ``HistoryBuffer`` objects rebuilt.
    """
    if isinstance(obj, dict):
        if obj.get(_BUFFER_TAG) and HistoryBuffer is not None:
            return HistoryBuffer(obj['log_history'], obj['count_history'],
                                 obj['max_length'])
        return {key: from_plain(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [from_plain(value) for value in obj]
    return obj


def plain_message_hub(checkpoint: dict) -> dict:
    """Turn ``message_hub`` and ``meta`` of a checkpoint into plain types
    (in place).

    Args:
        checkpoint (dict): A Runner checkpoint.

    Returns:
        dict: ``checkpoint``.
    """
    for key in ('message_hub', 'meta'):
        if key in checkpoint:
            checkpoint[key] = to_plain(checkpoint[key])
    return checkpoint


def make_checkpoint_plain(src: str, dst: str) -> None:
    """Rewrite a plain-mmengine checkpoint that YOU wrote as a safe one.

    Only for files of your own: ``src`` is unpickled without restrictions
    (``weights_only=False``), so it could run code. The message hub and
    meta are turned into plain types (as ``SafeCheckpointHook`` writes
    them) and the result is saved to ``dst``, which then loads and resumes
    with ``weights_only=True``.

    Args:
        src (str): Checkpoint written by plain mmengine.
        dst (str): Output path.
    """
    checkpoint = torch.load(src, map_location='cpu', weights_only=False)
    torch.save(plain_message_hub(checkpoint), dst)
