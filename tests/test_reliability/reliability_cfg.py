# Copyright (c) mmpixpro contributors. All rights reserved.
"""In-process helpers of the reliability tests: demo configs, logs, tool."""
import glob
import importlib.util
import json
import os.path as osp

from mmengine.config import Config
from reliability_helpers import DEMO, ROOT, make_images  # noqa: F401

from mmpixpro.utils import setup_amp


def demo_cfg(data_root, work_dir, max_epochs=1, batch_size=2):
    """The demo config, made tiny: CPU, no workers, log every iteration."""
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict({
        'train_dataloader.dataset.data_root': str(data_root),
        'train_dataloader.batch_size': batch_size,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': max_epochs,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': 5,
    })
    cfg.work_dir = str(work_dir)
    setup_amp(cfg)
    return cfg


def scalar_rows(work_dir):
    """Rows of the last run's scalars.json that hold a loss, in order."""
    files = sorted(
        glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json')))
    with open(files[-1]) as f:
        rows = [json.loads(line) for line in f]
    return [r for r in rows if 'loss' in r]


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
