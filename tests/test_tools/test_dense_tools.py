# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/analysis_tools/dense_probe.py and label_propagation.py share their
backbone arguments and result file through mmpixpro.evaluation.cli; both run
on tiny sets with a random-init ResNet-18."""
import json
import os

import numpy as np
from PIL import Image
from pixpro_testing import load_tool, make_voc_set

from mmpixpro.evaluation import cli


def write_sequence(root, name='seq', frames=3, size=64):
    """A DAVIS-layout sequence: a square moving right over noise."""
    rng = np.random.default_rng(0)
    for sub in ('JPEGImages', 'Annotations'):
        os.makedirs(root / sub / name, exist_ok=True)
    for t in range(frames):
        img = rng.integers(90, 160, (size, size, 3)).astype(np.uint8)
        mask = np.zeros((size, size), np.uint8)
        img[16:40, 8 + 4 * t:32 + 4 * t] = (220, 30, 30)
        mask[16:40, 8 + 4 * t:32 + 4 * t] = 1
        stem = f'{t:05d}'
        Image.fromarray(img).save(root / 'JPEGImages' / name / f'{stem}.jpg')
        Image.fromarray(mask).save(root / 'Annotations' / name / f'{stem}.png')
    return str(root)


def test_both_tools_take_the_shared_backbone_arguments():
    for name in ('dense_probe.py', 'label_propagation.py'):
        tool = load_tool('tools', 'analysis_tools', name)
        args = tool.parse_args(['--random-init', '--depth', '18',
                                '--init-seed', '3', '--stage', 'C4'])
        assert (args.random_init, args.depth, args.stage) == (True, 18, 'C4')
        assert cli.backbone_label(args) == 'random-init (seed 3)'


def test_dense_probe_on_a_tiny_voc_set(tmp_path):
    tool = load_tool('tools', 'analysis_tools', 'dense_probe.py')
    root = make_voc_set(tmp_path / 'voc', num_train=4, num_test=2)
    out = tmp_path / 'probe.json'
    result = tool.main(['--random-init', '--depth', '18', '--data', root,
                        '--img-size', '64', '--epochs', '1', '--out',
                        str(out)])
    assert json.loads(out.read_text())['backbone'] == result['backbone']
    assert result['classes'] == ['background', 'red', 'blue']
    assert (result['num_train'], result['num_test']) == (4, 2)
    assert 0 <= result['mIoU'] <= 1 and 0 <= result['knn_mIoU'] <= 1


def test_label_propagation_on_a_tiny_sequence(tmp_path):
    tool = load_tool('tools', 'analysis_tools', 'label_propagation.py')
    root = write_sequence(tmp_path / 'seqs')
    out = tmp_path / 'prop.json'
    result = tool.main(['--random-init', '--depth', '18', '--data', root,
                        '--stage', 'C4', '--out', str(out)])
    assert json.loads(out.read_text())['J'] == result['J']
    assert set(result['J']) == {'seq'} and 0 <= result['J_mean'] <= 1
    assert result['backbone'] == 'random-init (seed 0)'


def test_write_result_writes_nothing_without_a_path(tmp_path):
    cli.write_result({'a': 1}, None)
    assert list(tmp_path.iterdir()) == []
    cli.write_result({'a': 1}, str(tmp_path / 'r.json'))
    assert json.loads((tmp_path / 'r.json').read_text()) == {'a': 1}
