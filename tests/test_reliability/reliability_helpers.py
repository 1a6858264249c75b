# Copyright (c) mmpixpro contributors. All rights reserved.
"""Shared helpers of the reliability tests (images, configs, tools runs)."""
import os.path as osp

from pixpro_testing import DEMO, ROOT, make_images  # noqa: F401
from pixpro_testing import run_train as _run_train
from pixpro_testing import subprocess_env  # noqa: F401
from pixpro_testing import rows_by_iter as read_scalars  # noqa: F401

HERE = osp.dirname(osp.abspath(__file__))


def write_config(path, body: str) -> str:
    """Write a config that inherits the demo config plus ``body``."""
    with open(path, 'w') as f:
        f.write(f'_base_ = [{DEMO!r}]\n{body}')
    return str(path)


def run_train(config, work_dir, options=(), extra=(), timeout=300):
    """Run tools/train.py in a subprocess that can import the probes."""
    return _run_train(config, work_dir, options, extra, timeout,
                      paths=(HERE, ))
