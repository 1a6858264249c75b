# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmengine's CheckpointHook, made safe against kills and bad states.

Three things differ from :class:`mmengine.hooks.CheckpointHook`:

* **Order of a save.** mmengine removes the oldest checkpoint *before*
  writing the new one, so a kill during the save (with
  ``max_keep_ckpts=1``) leaves no checkpoint and a ``last_checkpoint`` that
  names a missing file. Here the new file is written completely (the
  Runner writes ``<name>.tmp`` and renames it), then ``last_checkpoint`` is
  replaced atomically, and only then are outdated checkpoints removed.
* **Finite states only.** Before a checkpoint is written, every float in
  it (model and momentum weights, BatchNorm statistics, optimizer state)
  must be finite; otherwise :class:`NonFiniteStateError` stops the run,
  naming the newest checkpoint (which passed the same check).
* **Plain message hub.** mmengine pickles ``HistoryBuffer`` objects whose
  pickle needs ``getattr``, which ``torch.load(weights_only=True)`` (the
  default since torch 2.6, and the only way mmpixpro loads) refuses. The
  message hub is stored as lists, floats, ints and strings, and rebuilt
  after loading.
"""
import os
import os.path as osp
import re
from typing import Any, List

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.logging import HistoryBuffer

from mmpixpro.export.checkpoint import (TMP_SUFFIX, non_finite_entries,
                                       write_atomically)
from mmpixpro.registry import HOOKS
from mmpixpro.utils import LAST_CHECKPOINT, latest_checkpoint

_SHOW = 5  # non-finite entries named in a message
_BUFFER_TAG = '__history_buffer__'  # marks a HistoryBuffer made plain


class NonFiniteStateError(FloatingPointError):
    """The state to be saved holds NaN or inf values."""


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
    meta are turned into plain types (as :class:`SafeCheckpointHook`
    writes them) and the result is saved to ``dst``, which then loads and
    resumes with ``weights_only=True``.

    Args:
        src (str): Checkpoint written by plain mmengine.
        dst (str): Output path.
    """
    checkpoint = torch.load(src, map_location='cpu', weights_only=False)
    torch.save(plain_message_hub(checkpoint), dst)


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """:class:`mmengine.hooks.CheckpointHook` with a kill-safe save order,
    finite states only and a plain message hub (see the module docstring).

    Arguments are those of :class:`mmengine.hooks.CheckpointHook`.
    """

    def before_train(self, runner) -> None:
        """mmengine's setup, then remove ``*.tmp`` files of killed saves."""
        super().before_train(runner)
        if is_main_process() and osp.isdir(self.out_dir):
            for name in os.listdir(self.out_dir):
                if self._pattern(TMP_SUFFIX).match(name):
                    os.remove(osp.join(self.out_dir, name))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse non-finite states; store the message hub as plain types.

        Raises:
            NonFiniteStateError: Naming the offending entries and the newest
                checkpoint on disk.
        """
        bad = non_finite_entries(
            {k: checkpoint.get(k) for k in ('state_dict', 'optimizer')})
        if bad:
            newest = latest_checkpoint(runner.work_dir) or 'none yet'
            raise NonFiniteStateError(
                f'Not saving iteration {runner.iter}: {len(bad)} entries '
                f'hold NaN/inf, e.g. {bad[:_SHOW]}. Newest checkpoint (all '
                f'finite): {newest}. Lower the learning rate and resume '
                'from it.')
        plain_message_hub(checkpoint)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rebuild the history buffers of ``message_hub``."""
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_plain(checkpoint['message_hub'])

    def _save_checkpoint_with_step(self, runner, step: int, meta) -> None:
        """Save; then point ``last_checkpoint`` at it; then drop old ones."""
        outdated: List[int] = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        write_atomically(osp.join(runner.work_dir, LAST_CHECKPOINT),
                         self.last_ckpt)
        if self.max_keep_ckpts > 0:
            for old in outdated + self._leftovers(step):
                self._remove(old)

    def _leftovers(self, step: int) -> List[int]:
        """Steps of older checkpoints on disk that are not kept: left by a
        run killed between its save and the removal."""
        if not osp.isdir(self.out_dir):  # a remote back-end
            return []
        found = (self._pattern().match(name)
                 for name in os.listdir(self.out_dir))
        steps = (int(m.group(1)) for m in found if m)
        return [s for s in steps if s < step and s not in self.keep_ckpt_ids]

    def _pattern(self, suffix: str = '') -> re.Pattern:
        """Names of our checkpoint files (+ ``suffix``); group 1: step."""
        return re.compile(
            re.escape(self.filename_tmpl + suffix).replace(r'\{\}', r'(\d+)')
            + '$')

    def _remove(self, step: int) -> None:
        """Delete the checkpoint (file or folder) of ``step``."""
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(step))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):  # deepspeed writes folders
            self.file_backend.rmtree(path)
