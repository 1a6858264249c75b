# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/analysis_tools/plot_curves.py given a file that is no log: an
error naming the file and the log it expects, not a decoding error."""
import subprocess
import sys

import pytest
import torch
from pixpro_testing import ROOT, load_tool, save_training_checkpoint

TOOL = f'{ROOT}/tools/analysis_tools/plot_curves.py'


@pytest.fixture
def checkpoint(tmp_path):
    """A checkpoint as the Runner writes it (a zip of pickles)."""
    return save_training_checkpoint({'w': torch.zeros(3)},
                                    tmp_path / 'epoch_1.pth')


def test_a_checkpoint_is_refused_naming_it_and_the_log_expected(
        checkpoint, tmp_path):
    tool = load_tool('tools', 'analysis_tools', 'plot_curves.py')
    with pytest.raises(ValueError) as info:
        tool.main([checkpoint, '--out', str(tmp_path / 'c.png')])
    message = str(info.value)
    assert repr(checkpoint) in message
    assert 'vis_data/scalars.json' in message and 'binary' in message
    assert not (tmp_path / 'c.png').exists()


def test_a_legacy_pickle_and_a_nul_byte_are_refused_too(tmp_path):
    tool = load_tool('tools', 'analysis_tools', 'plot_curves.py')
    legacy = tmp_path / 'old.pth'
    torch.save({'w': torch.zeros(3)}, legacy,
               _use_new_zipfile_serialization=False)
    nul = tmp_path / 'scalars.json'
    nul.write_bytes(b'{"iter": 1, "loss": 1.0}\n\x00\x00\n')
    for path in (legacy, nul):
        with pytest.raises(ValueError, match='not a training log'):
            tool.main([str(path), '--out', str(tmp_path / 'c.png')])


def test_cli_prints_one_error_line_and_exits_1(checkpoint, tmp_path):
    proc = subprocess.run(
        [sys.executable, TOOL, checkpoint, '--out',
         str(tmp_path / 'c.png')],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'error: {checkpoint!r} is not a training log')
    assert "mmengine's scalars.json" in last
    assert 'codec' not in proc.stderr and 'Traceback' not in proc.stderr
