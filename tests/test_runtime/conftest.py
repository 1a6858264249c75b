# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
import pytest
from PIL import Image


def make_images(folder, num: int, seed: int = 0):
    """Write ``num`` small structured RGB JPEGs (gradients + a square)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(num):
        h, w = int(rng.integers(90, 140)), int(rng.integers(90, 140))
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([xx * 255 // w, yy * 255 // h,
                        np.full_like(xx, 40 * i % 255)], -1).astype(np.uint8)
        y0, x0 = int(rng.integers(0, h // 2)), int(rng.integers(0, w // 2))
        img[y0:y0 + h // 3, x0:x0 + w // 3] = rng.integers(0, 255, 3)
        Image.fromarray(img).save(folder / f'img_{i}.jpg', quality=95)
    return folder


@pytest.fixture
def tiny_image_root(tmp_path):
    return make_images(tmp_path / 'images' / 'class_a', 4).parent
