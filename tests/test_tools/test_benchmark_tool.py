# Copyright (c) mmpixpro contributors. All rights reserved.
"""The benchmark tool runs each model on CPU (2 rounds of 1 step) and its
helpers count FLOPs and interleave rounds; no timing asserts."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch
from pixpro_testing import ROOT, subprocess_env

from mmpixpro.benchmarks import (build_loader, format_table, gflop_per_image,
                                 image_files, load_config, machine_info,
                                 synthetic_batch, time_dataloader,
                                 time_rounds)
from mmpixpro.utils import register_all_modules

PHOTOS = osp.join(ROOT, 'tests', 'data', 'photos')
PIXPRO_CONFIG = osp.join(ROOT, 'configs', 'pixpro', 'pixpro_r50_8xb128.py')


def run_tool(*args):
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'analysis_tools',
                                    'benchmark.py'), *args]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=subprocess_env(ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.slow
def test_two_steps_of_every_model(tmp_path):
    out = tmp_path / 'bench.json'
    stdout = run_tool('--depth', '18', '--size', '64', '--batch', '2',
                      '--steps', '1', '--rounds', '2', '--warmup', '0',
                      '--device', 'cpu', '--out', str(out), '--models',
                      'pixpro', 'byol', 'densecl', 'bare', 'bare-nchw')
    result = json.loads(out.read_text())
    names = [r['name'] for r in result['steps']]
    assert names == ['pixpro (mmpixpro)', 'byol (mmpretrain)',
                     'densecl (mmpretrain)', 'bare PyTorch (PixPro-shaped)',
                     'bare PyTorch (PixPro-shaped), NCHW']
    for row in result['steps']:
        assert row['img_per_s'] > 0 and row['loss'] == row['loss']
        assert row['rounds'] == 2
        assert row['img_per_s_min'] <= row['img_per_s'] <= row[
            'img_per_s_max']
    assert result['machine']['cores'] >= 1
    assert result['machine']['matmul_gflops_after'] > 0
    gflop = {r['name']: r['gflop_per_img'] for r in result['steps']}
    # ResNet-18 at 64 px, 2 views: the PixPro step does the bare step's
    # work (same backbone and projector; both run the 2 views online with
    # backward and through the momentum copy) and more than DenseCL's
    # one-view-per-branch step
    assert gflop['pixpro (mmpixpro)'] == pytest.approx(
        gflop['bare PyTorch (PixPro-shaped)'], rel=0.01)
    assert gflop['densecl (mmpretrain)'] < gflop['pixpro (mmpixpro)']
    for row in result['steps']:
        assert row['gflop_per_s'] == pytest.approx(
            row['gflop_per_img'] * row['img_per_s'])
    byol = result['steps'][1]
    assert byol['vs_byol'] == pytest.approx(1.0)
    assert '| pixpro (mmpixpro) |' in stdout


@pytest.mark.slow
def test_data_mode(tmp_path):
    out = tmp_path / 'data.json'
    stdout = run_tool('--data', PHOTOS, '--workers', '0', '--batch', '2',
                      '--batches', '1', '--out', str(out))
    rows = json.loads(out.read_text())['data']
    assert [(r['pipeline'], r['workers']) for r in rows] == [
        ('ours', 0), ('torchvision', 0)]
    assert all(r['img_per_s'] > 0 for r in rows)
    assert rows[1]['vs_torchvision'] == pytest.approx(1.0)
    assert '| torchvision | 0 |' in stdout


@pytest.mark.parametrize('pipeline', ['ours', 'torchvision'])
def test_both_data_pipelines_give_two_uint8_views(pipeline):
    """The --data comparison on two real photos, in this process."""
    register_all_modules(init_default_scope=True)
    loader = build_loader(pipeline, PIXPRO_CONFIG, PHOTOS, 0, batch=2)
    batch = next(iter(loader))
    views = batch['inputs'] if pipeline == 'ours' else batch
    assert [tuple(v.shape) for v in views] == [(2, 3, 224, 224)] * 2
    assert all(v.dtype == torch.uint8 for v in views)
    row = time_dataloader(PIXPRO_CONFIG, PHOTOS, 0, batch=2, batches=1,
                          warmup=0, pipeline=pipeline)
    assert row['pipeline'] == pipeline and row['img_per_s'] > 0
    assert row['img_per_s_per_core'] == row['img_per_s']
    assert len(image_files(PHOTOS)) == 3


def test_helpers():
    data = synthetic_batch(3, 16)
    assert [v.shape for v in data['inputs']] == [(3, 3, 16, 16)] * 2
    assert data['inputs'][0].dtype == torch.uint8
    assert data['data_samples'][0].crop_boxes.shape == (2, 4)
    table = format_table([dict(a=1.23456, b=None)], ['a', 'b'])
    assert table.splitlines() == ['| a | b |', '|---|---|', '| 1.23 | - |']
    assert load_config(PIXPRO_CONFIG).filename == PIXPRO_CONFIG
    assert load_config(
        'mmpretrain::byol/byol_resnet50_16xb256-coslr-200e_in1k.py'
    ).filename.endswith(osp.join(
        'mmpretrain', '.mim', 'configs', 'byol',
        'byol_resnet50_16xb256-coslr-200e_in1k.py'))
    with pytest.raises(FileNotFoundError, match='nope.py'):
        load_config('mmpretrain::byol/nope.py')


def test_rounds_interleave_the_models_and_report_the_median():
    calls = []

    def fake(name, losses):
        def step():
            calls.append(name)
            return losses.pop(0)
        return step

    rows = time_rounds(
        dict(a=fake('a', [9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
             b=fake('b', [8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0])),
        batch=4, device=torch.device('cpu'), steps=2, warmup=1, rounds=3)
    # one warm-up step each, then rounds of 2 steps: a a b b a a b b a a b b
    assert calls == ['a', 'b'] + ['a', 'a', 'b', 'b'] * 3
    assert [r.name for r in rows] == ['a', 'b']
    assert [r.loss for r in rows] == [6.0, 2.0]  # last step of each
    for r in rows:
        assert r.rounds == 3 and r.peak_mem_mib is None
        assert r.img_per_s_min <= r.img_per_s <= r.img_per_s_max
        assert r.ms_per_step == pytest.approx(4 / r.img_per_s * 1e3)


def test_machine_info_names_the_cpu():
    info = machine_info(torch.device('cpu'))
    assert info['cpu'] and info['torch'] == torch.__version__
    assert info['gpu'] is None and info['torch_threads'] >= 1
    assert info['matmul_gflops'] > 0
    assert set(info['cpu_flags']) <= {'avx2', 'avx512f', 'avx512_bf16',
                                      'avx512_vnni', 'amx_bf16'}


def test_gflop_per_image_counts_a_known_product():
    a, b = torch.ones(4, 5), torch.ones(5, 3)

    def step():
        return float((a @ b).sum())  # 2 * 4 * 5 * 3 = 120 FLOPs

    assert gflop_per_image(step, batch=2) == pytest.approx(60 / 1e9)
    with pytest.warns(UserWarning, match='FLOP counting failed'):
        assert gflop_per_image(lambda: 1 / 0, batch=2) is None
