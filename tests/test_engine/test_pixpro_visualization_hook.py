# Copyright (c) mmpixpro contributors. All rights reserved.
"""PixProVisualizationHook: when it draws, the picture size, the positive
bins it shows, and that training is unchanged."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from PIL import Image
from pixpro_testing import demo_cfg, last_run_rows, make_images

from mmpixpro.visualization import query_candidates, query_positives


def run(tmp_path, name, hooks, config=None):
    # 4 images, batch 2, 2 epochs: iterations 1..4
    images = make_images(tmp_path / 'imgs', 4)
    cfg = demo_cfg(images, tmp_path / name, max_epochs=2)
    cfg.merge_from_dict({
        'train_dataloader.dataset.pipeline.1.view_pipelines.0.0.size': 64,
        'train_dataloader.dataset.pipeline.1.view_pipelines.1.0.size': 64,
    })
    if config is not None:
        config(cfg)
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h['type'] == 'CosineMomentumHook'] + hooks
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def pictures(runner):
    return sorted(glob.glob(osp.join(runner.log_dir, 'vis_data', 'pixpro',
                                     '*.png')))


def test_pictures_at_interval_with_known_size(tmp_path):
    hook = dict(type='PixProVisualizationHook', interval=2, num_queries=2)
    runner = run(tmp_path, 'vis', [hook])
    names = [osp.basename(p) for p in pictures(runner)]
    assert names == ['iter_000002.png', 'iter_000004.png']
    for path in pictures(runner):
        with Image.open(path) as img:
            # 4 panels (original, view A, view B, PPM) x 2 query rows,
            # 3.6 x 3.2 inches each at 100 dpi
            assert img.size == (4 * 360, 2 * 320)
    # the picture also went to the visualizer (LocalVisBackend: vis_image)
    assert glob.glob(osp.join(runner.log_dir, 'vis_data', 'vis_image',
                              'pixpro_views_*.png'))


def test_training_unchanged_by_the_hook(tmp_path):
    with_hook = run(tmp_path, 'a', [dict(type='PixProVisualizationHook',
                                         interval=1)])
    without = run(tmp_path, 'b', [])
    losses = [[r['loss'] for r in last_run_rows(x.work_dir)]
              for x in (with_hook, without)]
    assert len(losses[0]) == 4 and losses[0] == losses[1]


def test_model_without_boxes_warns_once_and_draws_nothing(tmp_path):
    from mmpixpro.engine.hooks import PixProVisualizationHook

    class Runnerish:
        iter = 0
        model = torch.nn.Linear(2, 2)

        class logger:
            messages = []

            @classmethod
            def warning(cls, msg):
                cls.messages.append(msg)

    hook = PixProVisualizationHook(interval=1)
    with pytest.warns(UserWarning, match='Linear'):
        hook.after_train_iter(Runnerish, 0, data_batch={})
    hook.after_train_iter(Runnerish, 1, data_batch={})
    assert len(Runnerish.logger.messages) == 1


def test_positive_bins_of_known_boxes():
    size = (4, 4)
    same = np.array([[0, 0, 1, 1], [0, 0, 1, 1]], np.float32)
    # identical boxes: every bin has a positive, its own position first
    assert query_candidates(same, size, 0.7).tolist() == list(range(16))
    pos = query_positives(same, size, size, [(1, 2)], 0.7)[0]
    # neighbours are one bin apart: normalised distance 1 > T = 0.7
    assert pos[1, 2] and pos.sum() == 1
    # disjoint boxes (left and right halves): no bin has a positive
    apart = np.array([[0, 0, 0.3, 1], [0.7, 0, 1, 1]], np.float32)
    assert query_candidates(apart, size, 0.7).tolist() == []
