# Copyright (c) mmpixpro contributors. All rights reserved.
"""SIGKILL during checkpoint saves never leaves the work dir without a
loadable checkpoint that ``last_checkpoint`` names, and kill-resume cycles
end where an uninterrupted run ends.

A probe hook records the start of every save and waits 0.3 s before the
file is written (the moment mmengine's CheckpointHook has already removed
the oldest checkpoint); each kill lands a seeded random 0-0.6 s after a
save started: before, while or after the file is written.
"""
import os
import os.path as osp
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from pixpro_testing import (PROBES, ROOT, assert_tensors_equal, make_images,
                            subprocess_env, write_config)

from mmpixpro.checkpoint import safe_load

pytestmark = pytest.mark.slow

ITERS = 6
BODY = f"""
custom_imports = dict(imports=['reliability_probe'],
                      allow_failed_imports=False)
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop',
                 max_iters={ITERS})
auto_scale_lr = dict(enable=False)
train_dataloader = dict(batch_size=2, num_workers=0,
                        persistent_workers=False)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, by_epoch=False, max_keep_ckpts=1))
log_processor = dict(window_size=1, by_epoch=False)
custom_hooks = [dict(type='TestSaveMarkerHook', delay=0.3)]
"""


def start(config, work_dir, data_root, keep, resume, *options):
    """Launch tools/train.py (not waited for)."""
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config,
           '--work-dir', str(work_dir), *(['--resume'] if resume else []),
           '--cfg-options', f'train_dataloader.dataset.data_root={data_root}',
           f'default_hooks.checkpoint.max_keep_ckpts={keep}', *options]
    return subprocess.Popen(cmd, cwd=ROOT, env=subprocess_env(ROOT, PROBES),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def saves_started(work_dir) -> int:
    """How many saves the probe has seen start in ``work_dir``."""
    try:
        with open(osp.join(work_dir, 'saves_started')) as f:
            return len(f.read().split())
    except OSError:
        return 0


def kill_during_save(proc, work_dir, nth: int, delay: float) -> None:
    """SIGKILL ``proc`` ``delay`` s after its ``nth`` save started."""
    target = saves_started(work_dir) + nth
    deadline = time.time() + 240
    while saves_started(work_dir) < target:
        assert proc.poll() is None, proc.stderr.read()[-3000:]
        assert time.time() < deadline, 'no save started'
        time.sleep(0.01)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def assert_loadable_last_checkpoint(work_dir) -> str:
    """``last_checkpoint`` names an existing, complete checkpoint."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        path = f.read().strip()
    assert osp.isfile(path), f'last_checkpoint names missing {path}'
    ckpt = safe_load(path)
    assert 'state_dict' in ckpt and 'optimizer' in ckpt
    return path


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('kill')
    root = make_images(tmp / 'images' / 'a', 6)
    config = write_config(tmp / 'cfg.py', BODY)
    proc = start(config, tmp / 'full', osp.dirname(root), 1, False)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()[-3000:]
    full = safe_load(str(tmp / 'full' / f'iter_{ITERS}.pth'))
    return tmp, config, osp.dirname(root), full


@pytest.mark.parametrize('keep,kills', [(1, [2, 1]), (3, [3])])
def test_kill_during_saves_then_resume(setup, keep, kills):
    tmp, config, data_root, full = setup
    work = tmp / f'killed_keep{keep}'
    rng = random.Random(keep)
    for i, nth in enumerate(kills):
        proc = start(config, work, data_root, keep, resume=i > 0)
        kill_during_save(proc, work, nth, rng.uniform(0.0, 0.6))
        assert_loadable_last_checkpoint(work)
    proc = start(config, work, data_root, keep, resume=True)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()[-3000:]
    assert assert_loadable_last_checkpoint(work).endswith(f'iter_{ITERS}.pth')
    # half-written .tmp files of killed saves are gone as well
    kept = sorted(p for p in os.listdir(work) if '.pth' in p)
    assert kept == sorted(f'iter_{i}.pth'
                          for i in range(ITERS - keep + 1, ITERS + 1))
    end = safe_load(str(work / f'iter_{ITERS}.pth'))
    assert assert_tensors_equal(full['state_dict'], end['state_dict'],
                                'state_dict') == len(full['state_dict'])
    assert assert_tensors_equal(full['optimizer'], end['optimizer'],
                                'optimizer') > 0
    assert torch.equal(full['state_dict']['backbone.conv1.weight'],
                       end['state_dict']['backbone.conv1.weight'])


def test_mmengine_save_order_loses_the_only_checkpoint(setup):
    """The failure the test above guards against: mmengine's order removes
    the old file first, so a kill before the new one is written leaves
    ``last_checkpoint`` naming a missing file."""
    tmp, config, data_root, _ = setup
    work = tmp / 'mmengine_order'
    proc = start(config, work, data_root, 1, False,
                 'default_hooks.checkpoint.type='
                 'TestMmengineOrderCheckpointHook')
    kill_during_save(proc, work, 2, 0.1)  # inside the probe's 0.3 s wait
    assert not [p for p in os.listdir(work) if '.pth' in p]
    with pytest.raises(AssertionError, match='names missing'):
        assert_loadable_last_checkpoint(work)
