# Copyright (c) mmpixpro contributors. All rights reserved.
"""Refusals that say so: payloads in every part of a checkpoint, in the
zip and the legacy format, named by their global, with no advice to turn
the check off; mmengine's loader (``Pretrained`` init) goes through ours
whatever the environment says."""
import os
import subprocess
import sys

import pytest
import torch

from mmpixpro.checkpoint import (CheckpointCorruptError,
                                 CheckpointRefusedError, safe_load)


class SystemCall:
    """Pickles to ``os.system('touch MARKER')`` (``posix.system``)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def _payload_checkpoint(tmp_path, where: str, legacy: bool):
    marker = tmp_path / 'pwned'
    ckpt = {'state_dict': {'w': torch.ones(2)}, 'meta': {'epoch': 1},
            'message_hub': {'log_scalars': {}}}
    if where == 'state_dict':
        ckpt['state_dict']['evil'] = SystemCall(marker)
    else:
        ckpt[where]['evil'] = SystemCall(marker)
    path = tmp_path / f'{where}_{"legacy" if legacy else "zip"}.pth'
    torch.save(ckpt, path, _use_new_zipfile_serialization=not legacy)
    return str(path), marker


@pytest.mark.parametrize('legacy', [False, True], ids=['zip', 'legacy'])
@pytest.mark.parametrize('where', ['state_dict', 'meta', 'message_hub'])
def test_payload_is_refused_naming_the_global(tmp_path, where, legacy):
    path, marker = _payload_checkpoint(tmp_path, where, legacy)
    with pytest.raises(CheckpointRefusedError) as err:
        safe_load(path)
    msg = str(err.value)
    assert not isinstance(err.value, CheckpointCorruptError)
    assert msg.startswith(f'Refused to load {path!r}')
    assert 'posix.system' in msg and 'arbitrary code' in msg
    # no advice to disable the check, and torch's advice is not chained
    assert 'weights_only=False' not in msg
    assert 'weights_only` set to `False' not in msg
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert not marker.exists()


def test_refusal_detection_reads_every_torch_wording():
    from mmpixpro.checkpoint.reading import _is_refusal
    from pickle import UnpicklingError
    for text in ('Weights only load failed. ... Unsupported global: GLOBAL '
                 'posix.system was not an allowed global by default.',
                 'Weights only load failed. Trying to load unsupported '
                 'GLOBAL posix.system whose module posix is blocked.'):
        assert _is_refusal(UnpicklingError(text))
    assert not _is_refusal(UnpicklingError('invalid load key, \'h\'.'))
    assert not _is_refusal(UnpicklingError(
        'Weights only load failed. Unsupported operand 149'))


def test_forced_unsafe_environment_cannot_run_a_payload(tmp_path):
    """``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``: neither our reader nor a
    ``Pretrained`` init (mmengine's loader) runs the payload."""
    path, marker = _payload_checkpoint(tmp_path, 'state_dict', False)
    script = f'''
import pytest
from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint
from mmpretrain.models.backbones import ResNet
import mmpixpro.checkpoint
from mmpixpro.checkpoint import CheckpointRefusedError, safe_load
with pytest.raises(CheckpointRefusedError):
    safe_load({path!r})
with pytest.raises(CheckpointRefusedError):
    CheckpointLoader.load_checkpoint({path!r})
net = ResNet(18, init_cfg=dict(type='Pretrained', checkpoint={path!r}))
with pytest.raises(CheckpointRefusedError):
    net.init_weights()
print('refused')
'''
    env = dict(os.environ, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD='1')
    out = subprocess.run([sys.executable, '-c', script], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'refused' in out.stdout
    assert not marker.exists()


def test_folder_and_missing_file_are_named(tmp_path):
    with pytest.raises(IsADirectoryError, match='is a folder'):
        safe_load(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        safe_load(str(tmp_path / 'none.pth'))


def test_storage_of_a_patched_size_is_corrupt(tmp_path):
    """A legacy checkpoint whose storage size was patched: torch raises a
    bare RuntimeError; ours names the file as corrupt."""
    path = tmp_path / 'patched.pth'
    torch.save({'w': torch.arange(8.)}, path,
               _use_new_zipfile_serialization=False)
    data = bytearray(path.read_bytes())
    # the storage's element count (8, little-endian int64) after its key
    at = data.rindex((8).to_bytes(8, 'little'))
    data[at:at + 8] = (1 << 40).to_bytes(8, 'little')
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointCorruptError,
                       match=f'corrupt or truncated: {path}'):
        safe_load(str(path))
