# Copyright (c) mmpixpro contributors. All rights reserved.
"""A crop constrained by another view's crop: the share of its area inside
that crop, the rejected placements, the counted centre-crop fallback."""
import numpy as np
import pytest

from mmpixpro.datasets.transforms import (RandomResizedCropWithBox,
                                          crop_to_box, get_params,
                                          sample_crop_params, share_inside)


@pytest.mark.parametrize(
    'crop,region,share',
    [
        ((0, 0, 10, 10), (5, 5, 10, 10), 0.25),  # a 5 x 5 corner of 10 x 10
        ((2, 3, 4, 5), (0, 0, 10, 10), 1.0),  # inside
        ((0, 0, 10, 10), (10, 0, 5, 10), 0.0),  # touching below: no pixel
        ((0, 0, 4, 10), (0, 8, 4, 30), 0.2),  # 2 of 10 columns
    ])
def test_share_inside_by_hand(crop, region, share):
    assert share_inside(crop, region) == pytest.approx(share)


def fixed_draws(monkeypatch, uniforms, randints):
    """Replace numpy's draws with the given values, in order."""
    uniforms, randints = iter(uniforms), iter(randints)
    monkeypatch.setattr(np.random, 'uniform', lambda lo, hi: next(uniforms))
    monkeypatch.setattr(np.random, 'randint', lambda lo, hi: next(randints))


def test_rejected_placement_uses_an_attempt(monkeypatch):
    # each attempt: area 0.04 of 100 x 100 and log-ratio 0 -> a 20 x 20
    # square; the first is placed at (80, 80), outside the reference
    # (0, 0, 30, 30), the second at (5, 5), inside it
    fixed_draws(monkeypatch, [0.04, 0.0, 0.04, 0.0], [80, 80, 5, 5])
    crop = RandomResizedCropWithBox(size=8, ref_view=0, min_share=0.5)
    out = crop(dict(img=np.zeros((100, 100, 3), np.uint8),
                    view_crops=((0, 0, 30, 30), )))
    assert out['crop_region'] == (5, 5, 20, 20)
    assert out['crop_fallback'] is False
    np.testing.assert_array_equal(out['crop_box'],
                                  crop_to_box(5, 5, 20, 20, 100, 100))


def test_unmeetable_constraint_falls_back_to_the_centre_crop():
    # the whole 100 x 100 image has 1 % of its area in a 10 x 10 reference:
    # every attempt fails, the centre crop (here the whole image) is used
    # and flagged
    np.random.seed(0)
    crop = RandomResizedCropWithBox(
        size=8, scale=(1.0, 1.0), ratio=(1.0, 1.0), ref_view=0)
    out = crop(dict(img=np.zeros((100, 100, 3), np.uint8),
                    view_crops=((40, 40, 10, 10), )))
    assert out['crop_region'] == (0, 0, 100, 100)
    assert out['crop_fallback'] is True
    # without the constraint the same crop is no fallback
    out = RandomResizedCropWithBox(size=8, scale=(1.0, 1.0), ratio=(
        1.0, 1.0))(dict(img=np.zeros((100, 100, 3), np.uint8)))
    assert out['crop_region'] == (0, 0, 100, 100)
    assert out['crop_fallback'] is False


def test_kept_crops_have_the_share():
    np.random.seed(1)
    region = (10, 20, 30, 30)  # in a 60 x 80 image
    kept = 0
    for _ in range(200):
        crop, fell_back = sample_crop_params(
            60, 80, scale=(0.05, 0.14),
            accept=lambda c: share_inside(c, region) >= 0.5)
        if not fell_back:
            kept += 1
            assert share_inside(crop, region) >= 0.5
    assert kept > 150  # the constraint is met most of the time here


def test_without_condition_the_draws_are_get_params():
    np.random.seed(2)
    first = [sample_crop_params(37, 91) for _ in range(50)]
    np.random.seed(2)
    assert [get_params(37, 91) for _ in range(50)] == [c for c, _ in first]


def test_reference_view_must_be_known():
    crop = RandomResizedCropWithBox(size=8, ref_view=1)
    with pytest.raises(KeyError, match='ref_view=1'):
        crop(dict(img=np.zeros((20, 20, 3), np.uint8),
                  view_crops=((0, 0, 5, 5), )))
    with pytest.raises(ValueError, match='min_share'):
        RandomResizedCropWithBox(ref_view=0, min_share=0.0)
