# Copyright (c) mmpixpro contributors. All rights reserved.
import math

import numpy as np
import pytest
import torch
from PIL import Image

from mmpixpro.visualization import (cosine_similarity_maps,
                                    draw_similarity_figure, query_positives,
                                    upsample_map)
from mmpixpro.visualization.bin_rectangles import bin_rectangle, box_to_pixels


def feature_maps():
    """View A: 1 x 2 map; view B: 2 x 2 map; C = 2."""
    # a(0, 0) = (1, 0), a(0, 1) = (0, 2)
    feat_a = torch.tensor([[[1., 0.]], [[0., 2.]]])
    feat_b = torch.zeros(2, 2, 2)
    feat_b[:, 0, 0] = torch.tensor([3., 0.])  # same direction as a(0,0)
    feat_b[:, 0, 1] = torch.tensor([0., 1.])  # orthogonal to a(0,0)
    feat_b[:, 1, 0] = torch.tensor([-2., 0.])  # opposite to a(0,0)
    feat_b[:, 1, 1] = torch.tensor([1., 1.])  # 45 degrees
    return feat_a, feat_b


def test_cosine_similarity_by_hand():
    feat_a, feat_b = feature_maps()
    sims = cosine_similarity_maps(feat_a, feat_b, [(0, 0), (0, 1)])
    r = 1 / math.sqrt(2)
    expected = torch.tensor([[[1., 0.], [-1., r]], [[0., 1.], [0., r]]])
    assert sims.shape == (2, 2, 2)
    assert torch.allclose(sims, expected, atol=1e-6)


def test_cosine_similarity_rejects_bad_input():
    feat_a, feat_b = feature_maps()
    with pytest.raises(ValueError, match='outside'):
        cosine_similarity_maps(feat_a, feat_b, [(1, 0)])
    with pytest.raises(ValueError, match='channel'):
        cosine_similarity_maps(feat_a, torch.zeros(3, 2, 2), [(0, 0)])


def test_query_positives_identical_views_pair_bins_with_themselves():
    # square bins (0.25 x 0.25), so only a bin itself is within T = 0.7
    boxes = np.array([[0.1, 0.2, 0.85, 0.7]] * 2, np.float32)
    pos = query_positives(boxes, (2, 3), (2, 3), [(1, 2), (0, 0)])
    assert pos.shape == (2, 2, 3)
    expected = np.zeros((2, 2, 3), bool)
    expected[0, 1, 2] = expected[1, 0, 0] = True
    np.testing.assert_array_equal(pos, expected)


def test_query_positives_flipped_view_mirrors_columns():
    boxes = np.array([[0., 0., .75, .5], [.75, 0., 0., .5]], np.float32)
    pos = query_positives(boxes, (2, 3), (2, 3), [(0, 0), (1, 1)])
    assert np.argwhere(pos[0]).tolist() == [[0, 2]]
    assert np.argwhere(pos[1]).tolist() == [[1, 1]]


def test_box_to_pixels_same_rectangle_when_flipped():
    box = np.array([0.25, 0.0, 0.75, 0.5])
    flipped = box[[2, 1, 0, 3]]
    # W = 101, H = 11: x from 25 to 75 inclusive, y from 0 to 5 inclusive
    assert box_to_pixels(box, (11, 101)) == pytest.approx(
        (24.5, -0.5, 51.0, 6.0))
    assert box_to_pixels(flipped, (11, 101)) == pytest.approx(
        box_to_pixels(box, (11, 101)))


def test_bin_rectangle_and_upsample():
    # bin (1, 2) of a 2 x 4 map over a 20 x 40 view: x 20..30, y 10..20
    assert bin_rectangle(1, 2, (2, 4), (20, 40)) == pytest.approx(
        (19.5, 9.5, 10.0, 10.0))
    up = upsample_map(np.array([[0., 1.]]), (3, 8))
    assert up.shape == (3, 8)
    assert up[0, 0] == pytest.approx(0.) and up[0, -1] == pytest.approx(1.)
    assert np.all(np.diff(up[0]) >= 0)


def views(size=32):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
            for _ in range(2)]


def assert_png(path, min_size=(100, 100)):
    assert path.is_file() and path.stat().st_size > 0
    with Image.open(path) as img:
        assert img.format == 'PNG'
        assert img.size[0] >= min_size[0] and img.size[1] >= min_size[1]
        return img.size


def test_draw_similarity_figure_with_flipped_box(tmp_path):
    view_a, view_b = views()
    original = np.full((60, 80, 3), 128, np.uint8)
    # view B is flipped: x_lr < x_ul
    boxes = np.array([[0.1, 0.1, 0.7, 0.8], [0.9, 0.2, 0.3, 0.9]])
    queries = [(0, 0), (3, 2)]
    sims = torch.rand(2, 4, 4) * 2 - 1
    out = tmp_path / 'sub' / 'sim.png'
    ret = draw_similarity_figure(
        view_a, view_b, sims, queries, (4, 4), str(out),
        original=original, boxes=boxes)
    assert ret == str(out)
    w_full, h_full = assert_png(out)

    # without the original: one column fewer
    out2 = tmp_path / 'sim_plain.png'
    draw_similarity_figure(view_a, view_b, sims.numpy(), queries, (4, 4),
                           str(out2), value_range=None)
    w_plain, h_plain = assert_png(out2)
    assert w_plain < w_full and h_plain == h_full


def test_draw_similarity_figure_checks_shapes(tmp_path):
    view_a, view_b = views()
    with pytest.raises(ValueError, match='sim_maps'):
        draw_similarity_figure(view_a, view_b, torch.zeros(3, 4, 4),
                               [(0, 0)], (4, 4), str(tmp_path / 'x.png'))
