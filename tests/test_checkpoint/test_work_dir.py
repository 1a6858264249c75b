# Copyright (c) mmpixpro contributors. All rights reserved.
"""A work dir's checkpoints, the values of a state, full-disk errors."""
import errno
import math

import pytest
import torch

from mmpixpro.checkpoint import (LAST_CHECKPOINT, CheckpointSpaceError,
                                 LastCheckpointError, atomic_target,
                                 diverged_entries, latest_checkpoint,
                                 non_finite_entries, saved_checkpoints)


def test_last_checkpoint_naming_a_folder_says_so(tmp_path):
    (tmp_path / 'epoch_3.pth').mkdir()
    (tmp_path / LAST_CHECKPOINT).write_text(str(tmp_path / 'epoch_3.pth'))
    with pytest.raises(LastCheckpointError, match='is a folder'):
        latest_checkpoint(str(tmp_path))


def test_latest_and_saved_checkpoints(tmp_path):
    assert latest_checkpoint(str(tmp_path)) is None
    assert saved_checkpoints(str(tmp_path)) == []
    (tmp_path / 'iter_2.pth').write_bytes(b'x')
    (tmp_path / LAST_CHECKPOINT).write_text(str(tmp_path / 'iter_2.pth'))
    assert latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_2.pth')
    assert [p.split('/')[-1] for p in saved_checkpoints(str(tmp_path))] == [
        'iter_2.pth', LAST_CHECKPOINT]


def test_diverged_but_finite_state_is_found():
    state = {'state_dict': {'w': torch.tensor([1.0, -2.65e30]),
                            'ok': torch.ones(3), 'n': torch.tensor([7])},
             'optimizer': {'lr': 0.1}}
    [(name, largest)] = diverged_entries(state)
    assert name == 'state_dict.w' and largest == pytest.approx(2.65e30)
    assert non_finite_entries(state) == []
    state['state_dict']['ok'][0] = math.nan
    assert non_finite_entries(state) == ['state_dict.ok']


def test_full_disk_names_file_space_and_two_checkpoints(tmp_path):
    kept = tmp_path / 'epoch_1.pth'
    kept.write_bytes(b'x' * 1000)
    target = tmp_path / 'epoch_2.pth'
    with pytest.raises(CheckpointSpaceError) as err:
        with atomic_target(str(target), kept=str(kept)) as tmp:
            open(tmp, 'wb').write(b'half')
            raise OSError(errno.ENOSPC, 'No space left on device')
    msg = str(err.value)
    assert f'No space left on device while writing {target}' in msg
    assert 'about 1000 bytes' in msg and 'two checkpoints' in msg
    assert err.value.errno == errno.ENOSPC
    assert not target.exists() and not (tmp_path / 'epoch_2.pth.tmp').exists()
    assert kept.read_bytes() == b'x' * 1000
