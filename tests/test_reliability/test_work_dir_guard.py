# Copyright (c) mmpixpro contributors. All rights reserved.
"""No silent overwrite: one live run per work dir, no fresh start over an
earlier run's checkpoints, and a batch change on resume is named."""
import os
import signal
import subprocess
import sys
import time

import pytest
from pixpro_testing import demo_cfg, load_train_tool, make_images

from mmpixpro.engine import (WorkDirInUseError, WorkDirLock,
                             WorkDirNotEmptyError)
from mmpixpro.registry import RUNNERS

HOLD = """
import sys, time
from mmpixpro.engine.runner.work_dir_guard import WorkDirLock
lock = WorkDirLock(sys.argv[1])
lock.acquire()
print('locked', flush=True)
time.sleep(600)
"""


def _holder(work_dir):
    """A live process holding the lock of ``work_dir``."""
    proc = subprocess.Popen([sys.executable, '-c', HOLD, str(work_dir)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'locked'
    return proc


def test_second_run_is_refused_while_the_first_lives_then_not(tmp_path):
    work = tmp_path / 'work'
    holder = _holder(work)
    try:
        runner = RUNNERS.build(demo_cfg(
            make_images(tmp_path / 'img' / 'a', 4).parent, work))
        with pytest.raises(WorkDirInUseError) as err:
            runner.train()
        msg = str(err.value)
        assert f'"pid": {holder.pid}' in msg and str(work) in msg
        assert '--work-dir' in msg
        assert runner.iter == 0 and not list(work.glob('*.pth'))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # a killed holder leaves no stuck lock
    lock = WorkDirLock(str(work))
    lock.acquire()
    lock.release()


def test_lock_is_exclusive_within_one_process_too(tmp_path):
    first, second = WorkDirLock(str(tmp_path)), WorkDirLock(str(tmp_path))
    first.acquire()
    with pytest.raises(WorkDirInUseError, match=f'"pid": {os.getpid()}'):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


@pytest.mark.slow
def test_fresh_start_over_checkpoints_is_refused(tmp_path):
    root = make_images(tmp_path / 'img' / 'a', 4).parent
    work = tmp_path / 'work'
    RUNNERS.build(demo_cfg(root, work)).train()
    first = (work / 'epoch_1.pth').read_bytes()
    started = time.time()
    again = RUNNERS.build(demo_cfg(root, work))
    with pytest.raises(WorkDirNotEmptyError) as err:
        again.train()
    msg = str(err.value)
    for way in ('--resume', '--resume-or-start', '--work-dir', '--overwrite',
                'epoch_1.pth'):
        assert way in msg
    assert (work / 'epoch_1.pth').read_bytes() == first  # untouched
    assert again.iter == 0 and time.time() - started < 60
    # resuming it, or asking to overwrite, goes on
    cfg = demo_cfg(root, work, max_epochs=2)
    cfg.resume = True
    assert RUNNERS.build(cfg).train() is not None
    cfg = demo_cfg(root, work)
    cfg.overwrite_work_dir = True
    RUNNERS.build(cfg).train()
    assert (work / 'epoch_1.pth').read_bytes() != first


def test_train_tool_overwrite_flag(tmp_path, monkeypatch):
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--overwrite'])
    tool = load_train_tool()
    assert tool.build_config(tool.parse_args()).overwrite_work_dir is True
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--overwrite', '--resume'])
    with pytest.raises(SystemExit):  # one of resume / overwrite
        tool.parse_args()


@pytest.mark.slow
def test_resume_with_another_batch_size_is_named(tmp_path, caplog):
    root = make_images(tmp_path / 'img' / 'a', 8).parent
    work = tmp_path / 'work'
    RUNNERS.build(demo_cfg(root, work, batch_size=4)).train()
    cfg = demo_cfg(root, work, max_epochs=2, batch_size=2)
    cfg.resume = True
    runner = RUNNERS.build(cfg)
    runner.train()
    log = (work / runner.timestamp / f'{runner.timestamp}.log').read_text()
    assert 'with another batch: batch_per_gpu 4 -> 2' in log
