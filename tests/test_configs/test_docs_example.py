# Copyright (c) mmpixpro contributors. All rights reserved.
"""The example of docs/en/write_your_own_variant.md runs as written."""
import json
import math
import os.path as osp
import re
import sys

import pytest
from mmengine.config import Config

from mmpixpro.registry import MODELS, RUNNERS
from mmpixpro.utils import setup_amp

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
PAGE = osp.join(ROOT, 'docs', 'en', 'write_your_own_variant.md')


def page_files():
    """The ```python blocks of the page that start with '# file: PATH'."""
    text = open(PAGE).read()
    files = {}
    for block in re.findall(r'```python\n(.*?)```', text, flags=re.S):
        first = block.splitlines()[0]
        if first.startswith('# file: '):
            files[first[len('# file: '):].strip()] = block
    return files


def test_page_example_trains(tiny_image_root, tmp_path, monkeypatch):
    files = page_files()
    assert set(files) == {
        'my_variant/pixel_mse_loss.py', 'my_variant/pixpro-mse_r18_demo.py'
    }
    # the page's layout: my_variant/ next to configs/
    root = tmp_path / 'repo'
    (root / 'my_variant').mkdir(parents=True)
    (root / 'configs').symlink_to(osp.join(ROOT, 'configs'))
    for name, code in files.items():
        (root / name).write_text(code)
    monkeypatch.syspath_prepend(str(root))
    try:
        cfg = Config.fromfile(str(root / 'my_variant/pixpro-mse_r18_demo.py'))
        assert cfg.model.head.loss == dict(type='PixelMSELoss')
        cfg.merge_from_dict({
            'train_dataloader.dataset.data_root': str(tiny_image_root),
            'train_dataloader.batch_size': 2,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'train_cfg.max_epochs': 1,
            'default_hooks.logger.interval': 1,
            'default_hooks.checkpoint.interval': 100,
            'default_hooks.checkpoint.save_last': False,
        })
        cfg.work_dir = str(tmp_path / 'work')
        runner = RUNNERS.build(setup_amp(cfg))
        assert type(runner.model.head.loss_module).__name__ == 'PixelMSELoss'
        runner.train()
        assert runner.iter == 2
        log = next((tmp_path / 'work').glob('*/vis_data/scalars.json'))
        losses = [json.loads(l)['loss'] for l in open(log) if 'loss' in l]
        # squared distances of unit vectors lie in [0, 4]; two directions
        assert len(losses) == 2 and all(0 <= v <= 8 for v in losses)
        assert all(math.isfinite(v) for v in losses)
    finally:
        MODELS.module_dict.pop('PixelMSELoss', None)
        sys.modules.pop('my_variant.pixel_mse_loss', None)
        sys.modules.pop('my_variant', None)
