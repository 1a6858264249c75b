# Copyright (c) mmpixpro contributors. All rights reserved.
"""Integrity (the CRC-32 torch writes with every record) and the bound on
compressed records, checked before torch unpickles anything."""
import resource
import zipfile

import pytest
import torch

from mmpixpro.checkpoint import (MAX_INFLATED_ENV, CheckpointCorruptError,
                                 CheckpointRefusedError, load_state_dict,
                                 safe_load)


def _flip_one_weight_byte(tmp_path):
    path = tmp_path / 'flipped.pth'
    torch.save({'state_dict': {'w': torch.arange(1024.)}}, path)
    data = bytearray(path.read_bytes())
    # the float32 1000.0 (0x447a0000) inside the storage record
    at = data.index(bytes.fromhex('00007a44'))
    data[at + 2] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def test_one_flipped_byte_is_named_not_loaded(tmp_path):
    path = _flip_one_weight_byte(tmp_path)
    # torch alone loads it, one weight off
    plain = torch.load(path, weights_only=True)['state_dict']['w']
    assert plain[1000] != 1000.0
    with pytest.raises(CheckpointCorruptError) as err:
        safe_load(str(path))
    assert str(err.value).startswith(f'corrupt or truncated: {path} (')
    assert 'Bad CRC-32' in str(err.value) and 'data/0' in str(err.value)
    with pytest.raises(ValueError, match='Bad CRC-32'):
        load_state_dict(str(path))  # the export tools' reader


def test_intact_checkpoint_loads_equal(tmp_path):
    path = tmp_path / 'ok.pth'
    weights = {'w': torch.randn(64, 64)}
    torch.save({'state_dict': weights}, path)
    assert torch.equal(safe_load(str(path))['state_dict']['w'], weights['w'])


def _bomb(tmp_path, inflated: int):
    """A torch checkpoint re-packed with its storage deflated."""
    plain = tmp_path / 'plain.pth'
    torch.save({'w': torch.zeros(inflated // 4)}, plain)
    bomb = tmp_path / 'bomb.pth'
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, 'w') as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info),
                         compress_type=zipfile.ZIP_DEFLATED)
    return bomb


def test_compressed_record_above_the_bound_is_refused_before_inflating(
        tmp_path, monkeypatch):
    bomb = _bomb(tmp_path, 64 << 20)  # 64 MiB of zeros in ~64 KB
    assert bomb.stat().st_size < 1 << 20
    monkeypatch.setenv(MAX_INFLATED_ENV, '16')
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(CheckpointRefusedError) as err:
        safe_load(str(bomb))
    msg = str(err.value)
    assert 'data/0' in msg and str(64 << 20) in msg and str(16 << 20) in msg
    assert MAX_INFLATED_ENV in msg
    # nothing was inflated: the peak resident memory did not grow by it
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    assert grown_kb < 32 << 10
    # an explicit bound above it lets the same file load
    assert safe_load(str(bomb), max_inflated=128 << 20)['w'].numel() == (
        16 << 20)
