# Copyright (c) mmpixpro contributors. All rights reserved.
"""Shared helpers of the reliability tests (images, configs, tools runs)."""
import os.path as osp
import subprocess
import sys

from pixpro_testing import DEMO, ROOT, make_images  # noqa: F401
from pixpro_testing import subprocess_env  # noqa: F401
from pixpro_testing import rows_by_iter as read_scalars  # noqa: F401

HERE = osp.dirname(osp.abspath(__file__))
TRAIN = osp.join(ROOT, 'tools', 'train.py')


def write_config(path, body: str) -> str:
    """Write a config that inherits the demo config plus ``body``."""
    with open(path, 'w') as f:
        f.write(f'_base_ = [{DEMO!r}]\n{body}')
    return str(path)


def run_train(config, work_dir, options=(), extra=(), timeout=300):
    """Run tools/train.py in a subprocess that can import the probes."""
    cmd = [sys.executable, TRAIN, str(config), '--work-dir', str(work_dir),
           *extra]
    if options:
        cmd += ['--cfg-options', *options]
    return subprocess.run(cmd, cwd=ROOT, env=subprocess_env(ROOT, HERE),
                          capture_output=True, text=True, timeout=timeout)


