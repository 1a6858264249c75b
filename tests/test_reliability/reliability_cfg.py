# Copyright (c) mmpixpro contributors. All rights reserved.
"""In-process helpers of the reliability tests: demo configs, logs, tool."""
import glob
import importlib.util
import os.path as osp

from reliability_helpers import DEMO, ROOT, make_images  # noqa: F401

from pixpro_testing import demo_cfg  # noqa: F401
from pixpro_testing import last_run_rows as scalar_rows  # noqa: F401


def read_log(work_dir):
    """Text of the last run's log file."""
    files = sorted(glob.glob(osp.join(str(work_dir), '*', '*.log')))
    with open(files[-1]) as f:
        return f.read()


def load_train_tool():
    """Import tools/train.py as a module."""
    spec = importlib.util.spec_from_file_location(
        'mmpixpro_train_tool', osp.join(ROOT, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
