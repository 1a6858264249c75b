# Copyright (c) mmpixpro contributors. All rights reserved.
"""Two CPU processes (gloo) through tools/dist_train.sh train 2 iterations.

The ranks must end with identical parameters (DDP all-reduces the gradients,
the momentum networks follow identical online networks), BN falls back from
SyncBN to per-rank BN on CPU (documented in setup_sync_bn), and on a GPU
the same config keeps ``sync_bn='torch'``, which converts BN to SyncBN.
"""
import os.path as osp
import shutil
import socket
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.model import convert_sync_batchnorm
from pixpro_testing import (DEMO, PROBES, ROOT, make_images,
                            rows_by_iter, subprocess_env, write_config)

from mmpixpro.registry import MODELS
from mmpixpro.utils import setup_sync_bn

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

DIST = osp.join(ROOT, 'tools', 'dist_train.sh')

BODY = """
custom_imports = dict(imports=['reliability_probe'],
                      allow_failed_imports=False)
train_cfg = dict(max_epochs=2)
train_dataloader = dict(batch_size=2, num_workers=0,
                        persistent_workers=False)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=2, max_keep_ckpts=1))
custom_hooks = [dict(type='CosineMomentumHook'),
                dict(type='TestDumpStateHook')]
"""


def free_port() -> int:
    """A TCP port that is free right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_two_gloo_processes_agree(tmp_path):
    # 4 images over 2 ranks, batch 2 per rank: 1 iteration per epoch
    root = make_images(tmp_path / 'images' / 'a', 4)
    config = write_config(tmp_path / 'cfg.py', BODY)
    work = tmp_path / 'work'
    env = subprocess_env(PROBES, PYTHON=sys.executable, PORT=str(free_port()),
                         OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', DIST, config, '2', '--work-dir', str(work),
         '--cfg-options',
         f'train_dataloader.dataset.data_root={osp.dirname(root)}'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'sync_bn' in log and 'needs CUDA' in log  # the CPU fallback
    assert sorted(rows_by_iter(work)) == [1, 2]
    states = [torch.load(work / f'rank{r}.pth', weights_only=True)
              for r in (0, 1)]
    for state in states:
        assert state['wrapper'] == 'MMDistributedDataParallel'
        assert 'SyncBatchNorm' not in state['norms']
        assert 'BatchNorm2d' in state['norms']
    a, b = states[0]['state_dict'], states[1]['state_dict']
    online = [k for k in a if k.startswith(('backbone.', 'neck.', 'head.'))
              and 'running' not in k and 'num_batches' not in k]
    target = [k for k in a if k.startswith('target_net.')
              and 'running' not in k and 'num_batches' not in k]
    assert online and target
    for key in online + target:
        assert torch.equal(a[key], b[key]), key
    # per-rank BN: the running statistics saw different images
    key = 'backbone.bn1.running_mean'
    assert not torch.allclose(a[key], b[key])


def test_sync_bn_kept_on_gpu_and_dropped_on_cpu():
    cfg = Config.fromfile(DEMO)
    assert cfg.sync_bn == 'torch'
    assert setup_sync_bn(cfg.copy(), cuda=True).sync_bn == 'torch'
    with pytest.warns(UserWarning, match='needs CUDA'):
        assert setup_sync_bn(cfg.copy(), cuda=False).sync_bn is None
    # what mmengine's Runner does with sync_bn='torch' in a multi-GPU run
    model = convert_sync_batchnorm(MODELS.build(cfg.model), cfg.sync_bn)
    norms = {type(m).__name__ for m in model.modules()}
    assert 'SyncBatchNorm' in norms and 'BatchNorm2d' not in norms
