# Copyright (c) mmpixpro contributors. All rights reserved.
"""The example of docs/en/write_your_own_variant.md runs as written."""
import json
import math
import os.path as osp
import re
import sys

import pytest
from mmengine.config import Config
from pixpro_testing import ROOT, tiny_config

from mmpixpro.registry import MODELS, RUNNERS

pytestmark = pytest.mark.slow  # trains through the Runner or a tool

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
        cfg = tiny_config(cfg, tiny_image_root, tmp_path / 'work')
        runner = RUNNERS.build(cfg)
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
