# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
import pytest
from image_helpers import random_image, write_image
from PIL import Image

from mmpixpro.datasets.transforms import (ImageDecodeError,
                                          LoadRGBImageFromFile)


def load(path):
    return LoadRGBImageFromFile()(dict(img_path=str(path)))


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
        'LoadRGBImageFromFile(backend_args=None)'
