# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
import pytest
from pixpro_testing import random_image, write_image
from PIL import Image

from mmpixpro.datasets.transforms import (ImageDecodeError,
                                          LoadRGBImageFromFile)


def load(path):
    # min_size=1: these tests are about modes, on images of a few pixels
    return LoadRGBImageFromFile(min_size=1)(dict(img_path=str(path)))


def test_rgb_png_exact(tmp_path):
    img = write_image(tmp_path / 'a.png', 12, 20)
    out = load(tmp_path / 'a.png')
    np.testing.assert_array_equal(out['img'], img)
    assert out['img_shape'] == (12, 20) and out['ori_shape'] == (12, 20)


@pytest.mark.parametrize('mode', ['L', 'LA', 'P', 'RGBA', '1'])
def test_modes_become_rgb_uint8(tmp_path, mode):
    path = tmp_path / f'{mode}.png'
    Image.fromarray(random_image(6, 9)).convert(mode).save(path)
    out = load(path)['img']
    assert out.shape == (6, 9, 3) and out.dtype == np.uint8


def test_rgba_drops_alpha(tmp_path):
    rgba = np.dstack([random_image(4, 5), np.zeros((4, 5), np.uint8)])
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'a.png')
    np.testing.assert_array_equal(
        load(tmp_path / 'a.png')['img'], rgba[..., :3])


def test_cmyk_jpeg(tmp_path):
    Image.fromarray(random_image(6,
                                 9)).convert('CMYK').save(tmp_path / 'c.jpg')
    out = load(tmp_path / 'c.jpg')['img']
    assert out.shape == (6, 9, 3) and out.dtype == np.uint8


def test_16bit_gray_is_scaled(tmp_path):
    values = np.array([[0, 257 * 100, 65535]], np.uint16)
    Image.fromarray(values).save(tmp_path / 'g16.png')
    out = load(tmp_path / 'g16.png')['img']
    np.testing.assert_array_equal(out[0, :, 0], [0, 100, 255])
    assert np.all(out == out[..., :1])


def test_exif_orientation_is_applied(tmp_path):
    img = Image.fromarray(random_image(20, 40))  # 40 wide, 20 high
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view
    img.save(tmp_path / 'r.jpg', exif=exif)
    assert load(tmp_path / 'r.jpg')['img'].shape == (40, 20, 3)


def test_undecodable_file_names_the_path(tmp_path):
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'not an image')
    with pytest.raises(ImageDecodeError, match='bad.jpg'):
        load(bad)
    with pytest.raises(OSError, match='missing.png'):
        load(tmp_path / 'missing.png')


def test_repr():
    assert repr(LoadRGBImageFromFile()) == \
        'LoadRGBImageFromFile(backend_args=None, min_short_side=None, ' \
        'min_size=7)'


def smooth_image(h, w):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) % 256],
                    -1).astype(np.uint8)


@pytest.mark.parametrize('min_side,shape', [
    (None, (900, 1200)),
    (500, (900, 1200)),   # 1/2 would give 450 < 500: full size
    (450, (450, 600)),    # exactly 1/2
    (300, (450, 600)),    # 1/4 would give 225 < 300
    (100, (113, 150)),    # 1/8, rounded up by libjpeg
])
def test_jpeg_draft_keeps_short_side(tmp_path, min_side, shape):
    Image.fromarray(smooth_image(900, 1200)).save(tmp_path / 'big.jpg',
                                                  quality=95)
    out = LoadRGBImageFromFile(min_short_side=min_side)(
        dict(img_path=str(tmp_path / 'big.jpg')))
    assert out['img'].shape == shape + (3, )
    assert out['img_shape'] == shape
    if shape[0] < 900:
        # the same picture, only smaller
        full = np.asarray(Image.open(tmp_path / 'big.jpg').convert(
            'RGB').resize(shape[::-1], Image.BILINEAR), np.float32)
        assert np.abs(out['img'] - full).mean() < 4


def test_draft_leaves_png_and_small_jpeg_alone(tmp_path):
    Image.fromarray(smooth_image(900, 1200)).save(tmp_path / 'big.png')
    Image.fromarray(smooth_image(90, 120)).save(tmp_path / 'small.jpg')
    loader = LoadRGBImageFromFile(min_short_side=100)
    assert loader(dict(img_path=str(tmp_path / 'big.png')))['img'].shape \
        == (900, 1200, 3)
    assert loader(dict(img_path=str(tmp_path / 'small.jpg')))['img'].shape \
        == (90, 120, 3)
    with pytest.raises(ValueError, match='min_short_side'):
        LoadRGBImageFromFile(min_short_side=0)
