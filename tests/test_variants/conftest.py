# Copyright (c) mmpixpro contributors. All rights reserved.
import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def tiny_image_root(tmp_path):
    """Four small structured RGB JPEGs (gradients + a square)."""
    rng = np.random.default_rng(0)
    folder = tmp_path / 'images' / 'class_a'
    folder.mkdir(parents=True)
    for i in range(4):
        h, w = int(rng.integers(90, 140)), int(rng.integers(90, 140))
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([xx * 255 // w, yy * 255 // h,
                        np.full_like(xx, 40 * i % 255)], -1).astype(np.uint8)
        img[h // 4:h // 2, w // 4:w // 2] = rng.integers(0, 255, 3)
        Image.fromarray(img).save(folder / f'img_{i}.jpg', quality=95)
    return folder.parent
