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
  must be finite and below ``max_abs_value`` in magnitude (a state at
  2.6e30 is as lost as a NaN one); otherwise :class:`NonFiniteStateError`
  stops the run, naming the file it did not write and the newest
  checkpoint (which passed the same checks).
* **Plain message hub.** mmengine pickles ``HistoryBuffer`` objects whose
  pickle needs ``getattr``, which ``torch.load(weights_only=True)`` (the
  default since torch 2.6, and the only way mmpixpro loads) refuses. The
  message hub is stored as lists, floats, ints and strings, and rebuilt
  after loading.
"""
import os
import os.path as osp
import re
from typing import List

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mmpixpro.checkpoint import (DIVERGED_ABOVE, LAST_CHECKPOINT, TMP_SUFFIX,
                                 from_plain, latest_checkpoint,
                                 plain_message_hub, unhealthy_entries,
                                 write_atomically)
from mmpixpro.registry import HOOKS

_SHOW = 5  # non-finite entries named in a message


class NonFiniteStateError(FloatingPointError):
    """The state to be saved holds NaN, inf or diverged values."""


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """:class:`mmengine.hooks.CheckpointHook` with a kill-safe save order,
    finite states only and a plain message hub (see the module docstring).

    Args:
        max_abs_value (float): States holding a value of larger magnitude
            are not written (diverged). Defaults to
            :data:`mmpixpro.checkpoint.DIVERGED_ABOVE` (1e10).
        **kwargs: The arguments of :class:`mmengine.hooks.CheckpointHook`.
    """

    def __init__(self, *args, max_abs_value: float = DIVERGED_ABOVE,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_abs_value = max_abs_value

    def before_train(self, runner) -> None:
        """mmengine's setup, then remove ``*.tmp`` files of killed saves."""
        super().before_train(runner)
        if is_main_process() and osp.isdir(self.out_dir):
            for name in os.listdir(self.out_dir):
                if self._pattern(TMP_SUFFIX).match(name):
                    os.remove(osp.join(self.out_dir, name))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse non-finite or diverged states; store the message hub as
        plain types.

        Raises:
            NonFiniteStateError: Naming the file not written, the offending
                entries and the newest checkpoint on disk (which passed the
                same checks).
        """
        state = {k: checkpoint.get(k) for k in ('state_dict', 'optimizer')}
        bad, diverged = unhealthy_entries(state, self.max_abs_value)
        if bad or diverged:
            newest = latest_checkpoint(runner.work_dir) or 'none yet'
            found = (f'{len(bad)} entries hold NaN/inf, e.g. {bad[:_SHOW]}'
                     if bad else
                     f'{len(diverged)} entries exceed {self.max_abs_value:g} '
                     'in magnitude (the run diverged), e.g. ' + ', '.join(
                         f'{name}: {value:.3g}'
                         for name, value in diverged[:_SHOW]))
            raise NonFiniteStateError(
                f'Not writing {self._filename_of(checkpoint)}: {found}. '
                f'Newest checkpoint (all finite): {newest} (every value '
                f'below {self.max_abs_value:g} in magnitude). Lower the '
                'learning rate and resume from it.')
        plain_message_hub(checkpoint)

    def _filename_of(self, checkpoint: dict) -> str:
        """The file name of a checkpoint, from the step in its meta."""
        meta = checkpoint.get('meta') or {}
        step = meta.get('epoch' if self.by_epoch else 'iter')
        return (self.filename_tmpl.format(step) if step is not None else
                'the checkpoint')

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
