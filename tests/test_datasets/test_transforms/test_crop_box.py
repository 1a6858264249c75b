# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
import pytest
from pixpro_testing import random_image

from mmpixpro.datasets.transforms import (RandomHorizontalFlipWithBox,
                                          RandomResizedCropWithBox,
                                          crop_to_box, get_params)


def test_crop_to_box_by_hand():
    # H=101, W=201: i=10 -> 10/100, j=20 -> 20/200, i+h-1=60, j+w-1=120
    box = crop_to_box(i=10, j=20, h=51, w=101, height=101, width=201)
    assert box.dtype == np.float32
    np.testing.assert_allclose(box, [0.1, 0.1, 0.6, 0.6], rtol=1e-6)


def test_crop_to_box_whole_image_and_single_pixel_side():
    np.testing.assert_allclose(crop_to_box(0, 0, 30, 40, 30, 40), [0, 0, 1, 1])
    box = crop_to_box(0, 3, 1, 2, height=1, width=9)
    assert np.all(np.isfinite(box))
    np.testing.assert_allclose(box, [3 / 8, 0, 4 / 8, 0])


def test_flipped_crop_box_by_hand():
    results = dict(
        img=np.zeros((4, 4, 3), np.uint8),
        crop_box=crop_to_box(10, 20, 51, 101, 101, 201))
    out = RandomHorizontalFlipWithBox(prob=1.0)(results)
    np.testing.assert_allclose(
        out['crop_box'], [0.6, 0.1, 0.1, 0.6], rtol=1e-6)
    assert out['flip'] is True


def test_get_params_with_fixed_draws(monkeypatch):
    # area fraction 0.25 of 100x200 and log-ratio 0 -> a 71x71 square,
    # placed at the largest allowed offsets
    draws = iter([0.25, 0.0])
    monkeypatch.setattr(np.random, 'uniform', lambda lo, hi: next(draws))
    monkeypatch.setattr(np.random, 'randint', lambda lo, hi: hi - 1)
    assert get_params(100, 200) == (100 - 71, 200 - 71, 71, 71)


@pytest.mark.parametrize(
    'height,width,expected',
    [
        (50, 200, (0, (200 - 67) // 2, 50, 67)),  # too wide: w = round(50*4/3)
        (200, 50, ((200 - 67) // 2, 0, 67, 50)),  # too tall: h = round(50*4/3)
        (60, 60, (0, 0, 60, 60)),  # ratio in range: whole image
    ])
def test_get_params_fallback_centre_crop(height, width, expected):
    # an area of 2-3x the image never fits: the centre-crop fallback runs
    assert get_params(height, width, scale=(2.0, 3.0)) == expected


def test_get_params_reproducible_and_in_bounds():
    np.random.seed(3)
    first = [get_params(37, 91) for _ in range(200)]
    np.random.seed(3)
    assert [get_params(37, 91) for _ in range(200)] == first
    assert len(set(first)) > 100
    for i, j, h, w in first:
        assert 0 <= i and i + h <= 37 and 0 <= j and j + w <= 91
        assert h > 0 and w > 0


def test_crop_pixels_equal_the_sub_image():
    img = random_image(101, 201, seed=1)
    np.random.seed(11)
    i, j, h, w = get_params(101, 201)
    transform = RandomResizedCropWithBox(size=(h, w))  # no interpolation
    np.random.seed(11)
    out = transform(dict(img=img.copy()))
    np.testing.assert_array_equal(out['img'], img[i:i + h, j:j + w])
    np.testing.assert_array_equal(out['crop_box'],
                                  crop_to_box(i, j, h, w, 101, 201))
    assert out['img_shape'] == (h, w)


def test_crop_resizes_to_size():
    img = np.full((90, 120, 3), (10, 200, 30), np.uint8)
    out = RandomResizedCropWithBox(size=24)(dict(img=img))
    assert out['img'].shape == (24, 24, 3) and out['img'].dtype == np.uint8
    assert np.all(out['img'] == (10, 200, 30))


def test_flip_pixels_and_box():
    img = random_image(8, 10)
    box = np.float32([0.1, 0.2, 0.7, 0.9])
    out = RandomHorizontalFlipWithBox(prob=1.0)(dict(img=img, crop_box=box))
    np.testing.assert_array_equal(out['img'], img[:, ::-1])
    np.testing.assert_array_equal(out['crop_box'], box[[2, 1, 0, 3]])
    np.testing.assert_allclose(out['crop_box'], [0.7, 0.2, 0.1, 0.9])
    assert out['crop_box'][2] - out['crop_box'][0] < 0
    kept = RandomHorizontalFlipWithBox(prob=0.0)(dict(img=img, crop_box=box))
    np.testing.assert_array_equal(kept['img'], img)
    np.testing.assert_array_equal(kept['crop_box'], box)


def test_flip_without_box_only_flips():
    img = random_image(5, 7)
    out = RandomHorizontalFlipWithBox(prob=1.0)(dict(img=img))
    np.testing.assert_array_equal(out['img'], img[:, ::-1])
    assert 'crop_box' not in out
