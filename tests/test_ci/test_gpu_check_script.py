# Copyright (c) mmpixpro contributors. All rights reserved.
"""Plumbing of .ci/device/gpu_check.sh, run on CPU at toy sizes.

The script is meant for a CUDA machine lent for a few minutes, where a
broken step costs device time: here its steps run with ResNet-18 at 64 px
so that a changed tool option or a missing file shows up in CI first.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest
from pixpro_testing import ROOT, subprocess_env

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

SCRIPT = os.path.join(ROOT, '.ci', 'device', 'gpu_check.sh')


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_steps_run_and_leave_eight_files_at_most(tmp_path):
    out = tmp_path / 'out'
    env = subprocess_env(
        ROOT,
        PYTHON=sys.executable,
        GPU_CHECK_DEVICE='cpu',
        GPU_CHECK_DEPTH='18',
        GPU_CHECK_SIZE='64',
        GPU_CHECK_BATCH='2',
        GPU_CHECK_IMAGES='4',
        GPU_CHECK_WORKERS='0',
        GPU_CHECK_STEPS='1',
        GPU_CHECK_ROUNDS='1',
        GPU_CHECK_SKIP='tests train',  # both have their own tests
        GPU_CHECK_IMAGE_DIR=str(tmp_path / 'images'),
        GPU_CHECK_WORK_DIR=str(tmp_path / 'train'))
    proc = subprocess.run(['bash', SCRIPT, str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert '== tests: skipped' in proc.stdout
    assert len(os.listdir(tmp_path / 'images')) == 4
    # the device tool brings back 8 files at most from its output folder
    files = sorted(os.listdir(out))
    assert files == ['benchmark.log', 'benchmark_cpu_r18_64.json',
                     'benchmark_data.json', 'data.log', 'images.log',
                     'nvidia_smi.txt']
    steps = json.loads((out / 'benchmark_cpu_r18_64.json').read_text())
    assert len(steps['steps']) == 5
    data = json.loads((out / 'benchmark_data.json').read_text())
    assert sorted((r['pipeline'], r['workers']) for r in data['data']) == [
        ('ours', 0), ('torchvision', 0)]


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_a_failing_step_fails_the_run_and_the_rest_still_runs(tmp_path):
    env = subprocess_env(
        ROOT,
        PYTHON=sys.executable,
        GPU_CHECK_DEVICE='cpu',
        GPU_CHECK_DEPTH='7',  # no ResNet-7: the benchmark step fails
        GPU_CHECK_IMAGES='2',
        GPU_CHECK_WORKERS='0',
        GPU_CHECK_BATCH='2',
        GPU_CHECK_SKIP='tests train data',
        GPU_CHECK_IMAGE_DIR=str(tmp_path / 'images'))
    proc = subprocess.run(['bash', SCRIPT, str(tmp_path / 'out')],
                          cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 1
    assert 'failed: benchmark' in proc.stdout
    # the steps after the failed one were still reached
    assert proc.stdout.index('== benchmark: exit 1') < proc.stdout.index(
        '== data: skipped')
