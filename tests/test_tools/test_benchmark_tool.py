# Copyright (c) mmpixpro contributors. All rights reserved.
"""The benchmark tool runs 2 steps of each model on CPU; no timing asserts."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmpixpro.utils.benchmark import (format_table, resolve_config_path,
                                      synthetic_batch)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def run_tool(*args):
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'analysis_tools',
                                    'benchmark.py'), *args]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_two_steps_of_every_model(tmp_path):
    out = tmp_path / 'bench.json'
    stdout = run_tool('--depth', '18', '--size', '64', '--batch', '2',
                      '--steps', '2', '--warmup', '0', '--device', 'cpu',
                      '--out', str(out))
    result = json.loads(out.read_text())
    names = [r['name'] for r in result['steps']]
    assert names == ['pixpro (mmpixpro)', 'byol (mmpretrain)',
                     'densecl (mmpretrain)', 'bare PyTorch (PixPro-shaped)']
    for row in result['steps']:
        assert row['img_per_s'] > 0 and row['loss'] == row['loss']
    byol = result['steps'][1]
    assert byol['vs_byol'] == pytest.approx(1.0)
    assert '| pixpro (mmpixpro) |' in stdout


def test_data_mode(tmp_path):
    from PIL import Image
    for i in range(4):
        Image.new('RGB', (80, 60), (i * 40, 10, 200)).save(tmp_path /
                                                          f'{i}.jpg')
    out = tmp_path / 'data.json'
    run_tool('--data', str(tmp_path), '--workers', '0', '--batch', '2',
             '--batches', '2', '--out', str(out))
    rows = json.loads(out.read_text())['data']
    assert rows[0]['workers'] == 0 and rows[0]['img_per_s'] > 0


def test_helpers():
    data = synthetic_batch(3, 16)
    assert [v.shape for v in data['inputs']] == [(3, 3, 16, 16)] * 2
    assert data['inputs'][0].dtype == torch.uint8
    assert data['data_samples'][0].crop_boxes.shape == (2, 4)
    table = format_table([dict(a=1.23456, b=None)], ['a', 'b'])
    assert table.splitlines() == ['| a | b |', '|---|---|', '| 1.23 | - |']
    assert resolve_config_path('x.py') == 'x.py'
    assert resolve_config_path(
        'mmpretrain::byol/byol_resnet50_16xb256-coslr-200e_in1k.py'
    ).endswith('byol_resnet50_16xb256-coslr-200e_in1k.py')
    with pytest.raises(FileNotFoundError, match='no such config'):
        resolve_config_path('mmpretrain::nope.py')
