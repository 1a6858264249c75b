# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/train.py runs the paper's ResNet-50 config for one CPU iteration."""
import glob
import json
import math

import pytest
import torch
from pixpro_testing import run_train

pytestmark = pytest.mark.slow  # trains through the Runner or a tool


def test_r50_paper_config_one_iteration(tiny_image_root, tmp_path):
    work = tmp_path / 'r50'
    proc = run_train(
        'configs/pixpro/pixpro_r50_8xb128.py', work, [
            f'train_dataloader.dataset.data_root={tiny_image_root}',
            'train_dataloader.batch_size=4',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'train_cfg.max_epochs=1',
            'default_hooks.logger.interval=1',
            'default_hooks.checkpoint.save_last=False',
            'default_hooks.checkpoint.interval=100',
        ],
        timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # AMP asked by the config falls back to fp32 on a CPU-only host
    fell_back = 'Mixed precision needs a CUDA device' in proc.stderr
    assert fell_back != torch.cuda.is_available()
    scalars = glob.glob(str(work / '*' / 'vis_data' / 'scalars.json'))
    rows = [json.loads(line) for line in open(scalars[0])]
    losses = [r['loss'] for r in rows if 'loss' in r]
    assert len(losses) == 1  # 4 images / batch 4: one iteration
    # random init: the loss is about 0 (random value transform), in [-4, 4]
    assert math.isfinite(losses[0]) and -4 <= losses[0] <= 4
    # lr auto-scaled: 1.0 x 4 / 256, at the warm-up start lr/100
    assert rows[0]['lr'] == pytest.approx(4 / 256 / 100)
    assert rows[0]['momentum'] == pytest.approx(0.99)
