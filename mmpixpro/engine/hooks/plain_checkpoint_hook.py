# Copyright (c) mmpixpro contributors. All rights reserved.
"""Keep Runner checkpoints loadable with ``torch.load(weights_only=True)``.

mmengine stores its ``MessageHub`` as ``HistoryBuffer`` objects whose pickle
needs ``getattr`` and numpy reconstructors: torch >= 2.6 refuses them by
default, so mmengine 0.10.7 cannot resume its own checkpoints. Allowing
those globals would also allow arbitrary code in downloaded files. Instead
this hook writes the message hub as plain Python types (lists, floats, ints,
strings) and rebuilds the buffers after loading.
"""
from typing import Any

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from mmpixpro.registry import HOOKS

_BUFFER_TAG = '__history_buffer__'


def to_plain(obj: Any) -> Any:
    """Turn history buffers and numpy values into plain Python types.

    Args:
        obj (Any): A (nested) message-hub state.

    Returns:
        Any: The same structure made of dicts, lists, scalars and strings.
    """
    if isinstance(obj, HistoryBuffer):
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
        if obj.get(_BUFFER_TAG):
            return HistoryBuffer(obj['log_history'], obj['count_history'],
                                 obj['max_length'])
        return {key: from_plain(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [from_plain(value) for value in obj]
    return obj


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Store the message hub as plain types; rebuild it on load/resume."""

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Convert ``message_hub`` (and ``meta``) to plain types."""
        for key in ('message_hub', 'meta'):
            if key in checkpoint:
                checkpoint[key] = to_plain(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rebuild the history buffers of ``message_hub``."""
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_plain(checkpoint['message_hub'])
