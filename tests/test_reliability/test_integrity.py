# Copyright (c) mmpixpro contributors. All rights reserved.
"""One flipped byte in a tensor of a training checkpoint is named on every
load path: resume, load_from, the converter and the evaluation tools."""
import struct
import zipfile

import pytest
import torch
from pixpro_testing import demo_cfg, load_tool, make_images

from mmpixpro.checkpoint import CheckpointCorruptError
from mmpixpro.evaluation.frozen_backbone import load_frozen_backbone
from mmpixpro.registry import RUNNERS

pytestmark = pytest.mark.slow


def flip_byte_in_record(path) -> str:
    """Flip one byte in the middle of the largest tensor record; return
    the record's name."""
    with zipfile.ZipFile(path) as archive:
        info = max((i for i in archive.infolist() if '/data/' in i.filename),
                   key=lambda i: i.file_size)
    data = bytearray(open(path, 'rb').read())
    name_len, extra_len = struct.unpack_from('<HH', data,
                                             info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.file_size // 2] ^= 0x10
    open(path, 'wb').write(bytes(data))
    return info.filename


@pytest.fixture
def flipped(tmp_path):
    root = make_images(tmp_path / 'img' / 'a', 4).parent
    RUNNERS.build(demo_cfg(root, tmp_path / 'work')).train()
    path = tmp_path / 'work' / 'epoch_1.pth'
    record = flip_byte_in_record(path)
    return root, str(path), record


def test_every_load_path_names_the_damaged_file(flipped, tmp_path, capsys):
    root, path, record = flipped
    assert torch.load(path, weights_only=True)  # torch alone loads it
    expected = f'corrupt or truncated: {path} '
    # resume (in the same work dir) and load_from (a fresh run)
    for resume in (True, False):
        work = tmp_path / ('work' if resume else 'other')
        cfg = demo_cfg(root, work, max_epochs=2)
        cfg.resume, cfg.load_from = resume, path
        runner = RUNNERS.build(cfg)
        with pytest.raises(CheckpointCorruptError) as err:
            runner.train()
        assert str(err.value).startswith(expected)
        assert f'Bad CRC-32 for file {record!r}' in str(err.value)
        assert runner.iter == 0
    # the converter: exit 1, the file and the record named
    tool = load_tool('tools', 'model_converters', 'convert.py')
    assert tool.main([path, '--to', 'mmdet']) == 1
    assert expected in capsys.readouterr().err
    # the frozen-backbone evaluations (dense probe, kNN, propagation)
    with pytest.raises(ValueError, match='Bad CRC-32'):
        load_frozen_backbone(path)
