# Copyright (c) mmpixpro contributors. All rights reserved.
"""R2O's loader steps: the full-image view and its SLIC superpixels."""
import numpy as np
import pytest
import torch

from mmpixpro.datasets.transforms import (FullImageWithBox,
                                          MultiViewTransform,
                                          SLICSuperpixels)


def two_colour_image(h=48, w=64):
    img = np.zeros((h, w, 3), np.uint8)
    img[:, :w // 2] = (200, 30, 30)
    img[:, w // 2:] = (20, 40, 220)
    return img


def test_full_image_view_box_and_size():
    out = FullImageWithBox(size=32)({'img': two_colour_image()})
    assert out['img'].shape == (32, 32, 3)
    np.testing.assert_array_equal(out['crop_box'], [0, 0, 1, 1])
    assert out['crop_region'] == (0, 0, 48, 64)
    assert not out['crop_fallback']


def test_slic_of_third_view_follows_colour_edge():
    pytest.importorskip('skimage')
    views = MultiViewTransform([
        [dict(type='RandomResizedCropWithBox', size=16)],
        [dict(type='RandomResizedCropWithBox', size=16)],
        [dict(type='FullImageWithBox', size=32)],
    ])
    results = views({'img': two_colour_image()})
    torch.testing.assert_close(results['crop_boxes'][2],
                               torch.tensor([0., 0., 1., 1.]))
    for down in (1, 2):
        sp = SLICSuperpixels(view=2, n_segments=4, downsample=down)(
            dict(results))['superpixels']
        assert sp.shape == (32, 32) and sp.dtype == torch.int16
        # labels from 0, consecutive; no superpixel crosses the colour edge
        assert sp.min() == 0 and sp.unique().numel() == int(sp.max()) + 1
        left, right = set(sp[:, :16].unique().tolist()), set(
            sp[:, 16:].unique().tolist())
        assert not left & right
