# Copyright (c) mmpixpro contributors. All rights reserved.
"""Shared helpers of the reliability tests (images, configs, tools runs)."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
DEMO = osp.join(ROOT, 'configs', 'pixpro', 'pixpro_r18_demo.py')
TRAIN = osp.join(ROOT, 'tools', 'train.py')


def make_images(folder, num: int, seed: int = 0):
    """Write ``num`` small structured RGB JPEGs into ``folder``."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(num):
        h, w = int(rng.integers(90, 140)), int(rng.integers(90, 140))
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([xx * 255 // w, yy * 255 // h,
                        np.full_like(xx, 40 * i % 255)], -1).astype(np.uint8)
        y0, x0 = int(rng.integers(0, h // 2)), int(rng.integers(0, w // 2))
        img[y0:y0 + h // 3, x0:x0 + w // 3] = rng.integers(0, 255, 3)
        Image.fromarray(img).save(osp.join(folder, f'img_{i}.jpg'),
                                  quality=95)
    return folder


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
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, HERE]))
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def read_scalars(work_dir):
    """Logged training rows of every run in ``work_dir``, by iteration."""
    rows = {}
    for path in sorted(glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                if 'loss' in row:
                    rows[row['iter']] = row
    return rows
