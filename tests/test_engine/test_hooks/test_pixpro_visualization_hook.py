# Copyright (c) mmpixpro contributors. All rights reserved.
"""PixProVisualizationHook: when it draws, the picture size, the positive
bins it shows, that it leaves the model alone, and models without boxes."""
import glob
import os
import random
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from PIL import Image
from pixpro_testing import ROOT, demo_cfg, make_images, tiny_run_cfg

from mmpixpro.engine.hooks import PixProVisualizationHook
from mmpixpro.registry import DATASETS, MODELS
from mmpixpro.visualization import (original_bin_rectangles, positive_bins,
                                    save_png, similarity_figure)
from mmpixpro.registry import RUNNERS

SIZE = 64  # crop size: 2 x 2 bins at stride 32
PANEL_W, PANEL_H = 360, 320  # pixels of one panel at 100 dpi


def tiny_cfg(tmp_path, config='pixpro/pixpro_r18_demo.py', max_epochs=1):
    """A demo-style config on 4 tiny images, 64 px views, batch 2."""
    images = tmp_path / 'imgs'
    if not images.exists():
        make_images(images, 4)
    cfg = demo_cfg(images, tmp_path / 'work', max_epochs=max_epochs)
    if config != 'pixpro/pixpro_r18_demo.py':
        cfg.model = Config.fromfile(osp.join(ROOT, 'configs', config)).model
    for k in (0, 1):
        cfg.merge_from_dict({
            f'train_dataloader.dataset.pipeline.1.view_pipelines.{k}.0.size':
            SIZE
        })
    return cfg


def model_and_batch(cfg):
    """The config's model (train mode) and one collated batch of 2."""
    torch.manual_seed(0)
    np.random.seed(0)  # the crops
    random.seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    return model, default_collate([dataset[0], dataset[1]])


def png_size(path):
    with Image.open(path) as img:
        return img.size


@pytest.mark.slow
def test_pictures_only_at_the_interval_with_known_size(tmp_path):
    # 4 images, batch 2, 2 epochs: iterations 1..4; pictures at 2 and 4
    cfg = tiny_cfg(tmp_path, max_epochs=2)
    cfg.custom_hooks = [
        dict(type='CosineMomentumHook'),
        dict(type='PixProVisualizationHook', interval=2, num_queries=2)
    ]
    runner = RUNNERS.build(cfg)
    runner.train()
    assert runner.iter == 4
    out_dir = osp.join(runner.log_dir, 'vis_data', 'pixpro')
    assert sorted(
        os.listdir(out_dir)) == ['iter_000002.png', 'iter_000004.png']
    for name in os.listdir(out_dir):
        # original, view A, view B, PPM x 2 query rows
        assert png_size(osp.join(out_dir, name)) == (4 * PANEL_W, 2 * PANEL_H)
    # the same pictures went to the visualizer (LocalVisBackend)
    sent = glob.glob(osp.join(runner.log_dir, 'vis_data', 'vis_image', '*'))
    assert sorted(osp.basename(p) for p in sent) == [
        'pixpro_views_2.png', 'pixpro_views_4.png'
    ]
    assert png_size(sent[0]) == (4 * PANEL_W, 2 * PANEL_H)


@pytest.mark.parametrize(
    'config,columns,feat_size',
    [
        ('pixpro/pixpro_r18_demo.py', 4, (2, 2)),
        ('pixpro/pixpro-fpn_r18_demo.py', 4, (8, 8)),  # first level: stride 8
        ('pixcontrast/pixcontrast_r18_demo.py', 3, (2, 2)),  # no PPM panel
    ])
def test_panels_follow_the_model(tmp_path, config, columns, feat_size):
    model, batch = model_and_batch(tiny_cfg(tmp_path, config))
    hook = PixProVisualizationHook(num_queries=3)
    fig = hook.figure(model, batch, step=1)
    # the original panel shades the bins of view A that the loss pairs
    boxes = batch['data_samples'][0].crop_boxes
    expected = positive_bins(boxes, feat_size, feat_size, 0.7)
    shaded = [p for p in fig.axes[0].patches if p.get_gid() == 'positive_bin']
    assert 0 < len(shaded) == expected.sum()
    path = save_png(fig, str(tmp_path / 'a.png'))
    assert png_size(path) == (columns * PANEL_W, 3 * PANEL_H)


@pytest.mark.parametrize('index', [0, 1])
def test_picture_shows_the_chosen_sample(tmp_path, index):
    model, batch = model_and_batch(tiny_cfg(tmp_path))
    hook = PixProVisualizationHook(num_queries=1, sample_index=index)
    fig = hook.figure(model, batch, step=1)
    # row 0: original, view A, view B, PPM; views un-normalised exactly
    for k, ax in ((0, fig.axes[1]), (1, fig.axes[2])):
        view = batch['inputs'][k][index].permute(1, 2, 0).numpy()
        assert np.array_equal(ax.images[0].get_array(), view)
    boxes = batch['data_samples'][index].crop_boxes
    shaded = [p for p in fig.axes[0].patches if p.get_gid() == 'positive_bin']
    assert len(shaded) == positive_bins(boxes, (2, 2), (2, 2), 0.7).sum()


def test_multicrop_batch_shows_its_two_global_views(tmp_path):
    # multi-crop PixPro's demo: 2 global views (64 px here) + 4 local ones
    # (32 px); its config draws pictures as pixpro_r18_demo.py does
    config = osp.join(ROOT, 'configs', 'pixpro', 'pixpro-mcrop_r18_demo.py')
    cfg = tiny_run_cfg(config, make_images(tmp_path / 'imgs', 2),
                       tmp_path / 'work')
    assert dict(type='PixProVisualizationHook', interval=28,
                num_queries=3) in cfg.custom_hooks
    for k, size in ((0, SIZE), (1, SIZE), (2, SIZE // 2)):
        cfg.merge_from_dict({
            f'train_dataloader.dataset.pipeline.1.view_pipelines.{k}.0.size':
            size
        })
    model, batch = model_and_batch(cfg)
    assert len(batch['inputs']) == 6
    fig = PixProVisualizationHook(num_queries=2).figure(model, batch, step=1)
    # views A and B are views 0 and 1, un-normalised exactly
    for k, ax in ((0, fig.axes[1]), (1, fig.axes[2])):
        view = batch['inputs'][k][0].permute(1, 2, 0).numpy()
        assert np.array_equal(ax.images[0].get_array(), view)
    # the shaded bins are those of the two global boxes
    boxes = batch['data_samples'][0].crop_boxes
    assert len(boxes) == 6
    shaded = [p for p in fig.axes[0].patches if p.get_gid() == 'positive_bin']
    assert 0 < len(shaded) == positive_bins(boxes[:2], (2, 2), (2, 2),
                                            0.7).sum()
    path = save_png(fig, str(tmp_path / 'a.png'))
    assert png_size(path) == (4 * PANEL_W, 2 * PANEL_H)


def test_picture_leaves_model_mode_weights_and_rng_alone(tmp_path):
    model, batch = model_and_batch(tiny_cfg(tmp_path))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    hook = PixProVisualizationHook()
    for training in (True, False):
        model.train(training)
        torch_rng, np_rng = torch.get_rng_state(), np.random.get_state()
        hook.figure(model, batch, step=1)
        assert model.training is training
        assert all(m.training is training for m in model.modules())
        assert torch.equal(torch.get_rng_state(), torch_rng)
        assert np.random.get_state()[1].tolist() == np_rng[1].tolist()
    # BN running statistics and num_batches_tracked included
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_model_without_boxes_warns_once_and_draws_nothing(tmp_path):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'byol',
                                   'byol_r18_demo.py'))
    messages = []
    runner = SimpleNamespace(iter=0,
                             model=MODELS.build(cfg.model),
                             logger=SimpleNamespace(warning=messages.append))
    hook = PixProVisualizationHook(interval=1, out_dir=str(tmp_path / 'vis'))
    with pytest.warns(UserWarning, match='BYOL'):
        hook.after_train_iter(runner, 0, data_batch={})
    runner.iter = 1
    hook.after_train_iter(runner, 1, data_batch={})
    assert len(messages) == 1 and 'no pictures' in messages[0]
    assert not (tmp_path / 'vis').exists()


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match='interval'):
        PixProVisualizationHook(interval=0)
    with pytest.raises(ValueError, match='num_queries'):
        PixProVisualizationHook(num_queries=0)


# two hand-made boxes on a 4 x 4 grid (bins 0.125 wide, 0.25 high, diagonal
# 0.2795, so T * diagonal = 0.196):
# A = left half, centres x = .0625 .1875 .3125 .4375
# B = [.25, .75], centres x = .3125 .4375 .5625 .6875
# column 0 of A is .25 from B's nearest centre (negative); column 1 is .125
# away (positive); columns 2 and 3 coincide with B's columns 0 and 1.
HALF = np.array([[0, 0, .5, 1], [.25, 0, .75, 1]], np.float32)
HALF_BINS = np.array([[False, True, True, True]] * 4)


@pytest.mark.parametrize('boxes,expected', [
    (np.array([[0, 0, 1, 1]] * 2, np.float32), np.ones((4, 4), bool)),
    (np.array([[0, 0, .3, 1], [.7, 0, 1, 1]],
              np.float32), np.zeros((4, 4), bool)),
    (HALF, HALF_BINS),
])
def test_positive_bins_of_known_boxes(boxes, expected):
    assert positive_bins(boxes, (4, 4), (4, 4), 0.7).tolist() == \
        expected.tolist()


def test_original_panel_shades_exactly_the_positive_bins():
    original = np.zeros((65, 129, 3), np.uint8)  # (H - 1, W - 1) = (64, 128)
    view = np.zeros((SIZE, SIZE, 3), np.uint8)
    fig = similarity_figure(view,
                            view,
                            torch.zeros(1, 4, 4), [(0, 1)], (4, 4),
                            original=original,
                            boxes=HALF,
                            shade_positive_bins=True)
    shaded = [p for p in fig.axes[0].patches if p.get_gid() == 'positive_bin']
    assert len(shaded) == HALF_BINS.sum() == 12
    # box A spans x in [0, 64] px, 16 px per bin; shaded: columns 1..3
    lefts = sorted({round(p.get_x(), 3) for p in shaded})
    assert lefts == [16.0, 32.0, 48.0]
    assert all(p.get_width() == pytest.approx(16.0) for p in shaded)
    assert original_bin_rectangles(HALF[0], (4, 4), (65, 129),
                                   HALF_BINS)[0] == (16.0, 0.0, 16.0, 16.0)
    # without the option (the offline tool's picture), nothing is shaded
    plain = similarity_figure(view,
                              view,
                              torch.zeros(1, 4, 4), [(0, 1)], (4, 4),
                              original=original,
                              boxes=HALF)
    assert not [
        p for p in plain.axes[0].patches if p.get_gid() == 'positive_bin'
    ]
