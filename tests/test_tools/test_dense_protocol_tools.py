# Copyright (c) mmpixpro contributors. All rights reserved.
"""dense_probe.py --preset and label_propagation.py --davis run the field
protocols and print their settings; the demo probe names its label sizes."""
import json

from pixpro_testing import load_tool, make_voc_set
from test_dense_tools import write_sequence


def test_dense_probe_preset_and_label_sizes(tmp_path, capsys):
    tool = load_tool('tools', 'analysis_tools', 'dense_probe.py')
    root = make_voc_set(tmp_path / 'voc', num_train=2, num_test=1)
    demo = tool.main(['--random-init', '--depth', '18', '--data', root,
                      '--img-size', '64', '--epochs', '1'])
    # C5 of 64 px is 2 x 2: labels at 4x = 8 x 8, metric at 64 x 64
    assert demo['label_sizes'] == dict(train=[8, 8], metric=[64, 64])
    assert 'probe labels 8x8 (4x the feature grid), metric labels 64x64' \
        in capsys.readouterr().out
    out = tmp_path / 'neco.json'
    result = tool.main(['--random-init', '--depth', '18', '--data', root,
                        '--preset', 'seg-linear-neco', '--out', str(out)])
    assert json.loads(out.read_text())['metrics'] == result['metrics']
    assert result['settings']['metric_label_resolution'].startswith(
        '100x100')
    assert 'metric_size: 100' in capsys.readouterr().out


def test_label_propagation_davis(tmp_path, capsys):
    tool = load_tool('tools', 'analysis_tools', 'label_propagation.py')
    root = write_sequence(tmp_path / 'seqs', frames=4)
    result = tool.main(['--random-init', '--depth', '18', '--data', root,
                        '--stage', 'C4', '--davis'])
    assert 0 <= result['metrics']['J&F-Mean'] <= 100
    assert result['settings']['resolution'] == ''  # no 480p folder here
    assert 'J&F-Mean' in capsys.readouterr().out
