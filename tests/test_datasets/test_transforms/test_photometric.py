# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
import pytest
import torchvision.transforms.functional as TF
from PIL import Image
from pixpro_testing import random_image

from mmpixpro.datasets.transforms import (RandomColorJitter,
                                          RandomGaussianBlur,
                                          RandomRGBGrayscale, RandomSolarize)
from mmpixpro.datasets.transforms.functional import (adjust_brightness,
                                                     adjust_contrast,
                                                     adjust_hue,
                                                     adjust_saturation)
from mmpixpro.datasets.transforms.gaussian_blur import auto_kernel_size


def pixel(rgb):
    return np.array([[rgb]], dtype=np.uint8)


@pytest.mark.parametrize(
    'shift,expected',
    [
        # red has uint8 hue 0; the shift is int(255 * shift) steps of 1/255
        # turn; hue h lies in sector floor(6h/255) at f = 6h/255 - sector
        (1 / 3, (0, 255, 0)),  # 85: sector 2, f = 0 -> green
        (-1 / 3, (6, 0, 255)),  # 171: sector 4, f = 6/255 -> (255 f, 0, 255)
        (0.5, (0, 255, 252)),  # 127: sector 2, f = 252/255 -> (0, 255, 252)
        (-0.5, (0, 246, 255)),  # 129: sector 3, f = 9/255 -> (0, 246, 255)
    ])
def test_hue_of_pure_red(shift, expected):
    np.testing.assert_array_equal(
        adjust_hue(pixel((255, 0, 0)), shift)[0, 0], expected)
    ref = TF.adjust_hue(Image.fromarray(pixel((255, 0, 0))), shift)
    np.testing.assert_array_equal(np.asarray(ref)[0, 0], expected)


@pytest.mark.parametrize('fn,tv_fn,factor', [
    (adjust_hue, TF.adjust_hue, -0.1),
    (adjust_hue, TF.adjust_hue, 0.1),
    (adjust_brightness, TF.adjust_brightness, 1.3),
    (adjust_contrast, TF.adjust_contrast, 0.7),
    (adjust_saturation, TF.adjust_saturation, 1.2),
])
def test_primitives_match_torchvision_on_random_pixels(fn, tv_fn, factor):
    # PIL's arithmetic: blends equal; hue within float rounding
    img = random_image(16, 16, seed=5)
    ours = fn(img, factor).astype(int)
    ref = np.asarray(tv_fn(Image.fromarray(img), factor)).astype(int)
    assert np.abs(ours - ref).max() <= (6 if fn is adjust_hue else 0)


@pytest.mark.parametrize('shift', [-0.1, 0.1])
def test_color_jitter_fixed_hue_draws_never_fail(monkeypatch, shift):
    # mmcv's adjust_hue overflows for negative shifts under numpy 2
    monkeypatch.setattr(np.random, 'uniform', lambda lo, hi: shift)
    jitter = RandomColorJitter(
        brightness=0, contrast=0, saturation=0, hue=0.1, prob=1.0)
    for seed in range(50):
        img = random_image(8, 8, seed)
        out = jitter(dict(img=img.copy()))['img']
        assert out.dtype == np.uint8 and out.shape == img.shape
        np.testing.assert_array_equal(out, adjust_hue(img, shift))


def test_color_jitter_random_draws():
    jitter = RandomColorJitter(prob=1.0)
    img = random_image(8, 8)
    for seed in range(50):
        np.random.seed(seed)
        out = jitter(dict(img=img.copy()))['img']
        assert out.dtype == np.uint8 and out.shape == img.shape
    np.random.seed(0)
    ops = jitter.draw_params()
    assert {fn
            for fn, _ in ops} == {
                adjust_brightness, adjust_contrast, adjust_saturation,
                adjust_hue
            }
    bounds = {
        adjust_brightness: (0.6, 1.4),
        adjust_contrast: (0.6, 1.4),
        adjust_saturation: (0.8, 1.2),
        adjust_hue: (-0.1, 0.1)
    }
    for fn, factor in ops:
        assert bounds[fn][0] <= factor <= bounds[fn][1]
    orders = set()
    for seed in range(20):
        np.random.seed(seed)
        orders.add(tuple(fn.__name__ for fn, _ in jitter.draw_params()))
    assert len(orders) > 1  # the order is random


def test_color_jitter_prob_zero_is_identity():
    img = random_image(8, 8)
    out = RandomColorJitter(prob=0.0)(dict(img=img.copy()))['img']
    np.testing.assert_array_equal(out, img)


def test_grayscale_luma():
    img = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]],
                   np.uint8)
    out = RandomRGBGrayscale(prob=1.0)(dict(img=img))['img']
    assert out.shape == (1, 4, 3) and out.dtype == np.uint8
    # 0.299*255=76.2, 0.587*255=149.7, 0.114*255=29.1,
    # 0.299*10+0.587*20+0.114*30=18.15
    np.testing.assert_array_equal(out[..., 0], [[76, 150, 29, 18]])
    assert np.all(out == out[..., :1])
    kept = RandomRGBGrayscale(prob=0.0)(dict(img=img))['img']
    np.testing.assert_array_equal(kept, img)


def test_solarize_threshold():
    values = np.arange(256, dtype=np.uint8)
    img = np.stack([values] * 3, axis=-1)[None]
    out = RandomSolarize(threshold=128, prob=1.0)(dict(img=img))['img']
    assert out.dtype == np.uint8
    expected = np.where(values >= 128, 255 - values, values)
    np.testing.assert_array_equal(out[0, :, 0], expected)
    assert out[0, 127, 0] == 127 and out[0, 128, 0] == 127
    assert out[0, 255, 0] == 0
    kept = RandomSolarize(prob=0.0)(dict(img=img))['img']
    np.testing.assert_array_equal(kept, img)


def test_blur():
    img = random_image(32, 32)
    assert RandomGaussianBlur(prob=0.0)(dict(img=img))['img'] is img
    blurred = RandomGaussianBlur(
        sigma=(1.5, 2.0), prob=1.0)(dict(img=img.copy()))['img']
    assert blurred.shape == img.shape and blurred.dtype == np.uint8
    assert blurred.std() < img.std()
    flat = np.full((32, 32, 3), 77, np.uint8)
    np.testing.assert_array_equal(
        RandomGaussianBlur(prob=1.0)(dict(img=flat))['img'], flat)
    assert auto_kernel_size(224, 224) == 23
    assert auto_kernel_size(32, 300) % 2 == 1


@pytest.mark.parametrize('transform,text', [
    (RandomColorJitter(), 'hue=0.1, prob=0.8'),
    (RandomRGBGrayscale(), 'prob=0.2'),
    (RandomGaussianBlur(), 'sigma=(0.1, 2.0)'),
    (RandomSolarize(), 'threshold=128'),
])
def test_repr(transform, text):
    assert repr(transform).startswith(type(transform).__name__)
    assert text in repr(transform)


def test_upstream_names_keep_their_upstream_meaning():
    """Names we do not own resolve to mmpretrain's/mmcv's classes, so a
    pipeline pasted from mmpretrain means what it meant there."""
    import mmpretrain.datasets.transforms as mmpretrain_transforms
    from mmcv.transforms import RandomGrayscale as McvGrayscale
    from mmpretrain.engine.optimizers import LARS as MmpretrainLARS

    from mmpixpro.registry import OPTIMIZERS, TRANSFORMS
    assert TRANSFORMS.get('ColorJitter') is mmpretrain_transforms.ColorJitter
    assert TRANSFORMS.get('RandomGrayscale') is McvGrayscale
    TRANSFORMS.build(dict(type='RandomGrayscale', prob=0.2,
                          keep_channels=True))  # mmcv's signature
    assert OPTIMIZERS.get('LARS') is MmpretrainLARS
    assert TRANSFORMS.get('RandomColorJitter') is RandomColorJitter
    assert TRANSFORMS.get('RandomRGBGrayscale') is RandomRGBGrayscale
