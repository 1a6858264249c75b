# Copyright (c) mmpixpro contributors. All rights reserved.
"""RandomPipelineChoice: one of its pipelines per call, drawn from the
seeded numpy stream, built through mmpixpro's registry."""
import numpy as np
import pytest

from mmpixpro.registry import TRANSFORMS


def choice(probs=None):
    return TRANSFORMS.build(dict(
        type='RandomPipelineChoice',
        pipelines=[[dict(type='RandomRGBGrayscale', prob=1.0)],
                   [dict(type='AutoAugment', policies='imagenet')]],
        probs=probs))


def test_each_pipeline_is_chosen_and_the_seed_decides():
    transform = choice()
    img = np.random.RandomState(0).randint(0, 256, (16, 16, 3), np.uint8)
    chosen = []
    for seed in range(20):
        np.random.seed(seed)
        out = transform(dict(img=img.copy()))['img']
        gray = (out[..., 0] == out[..., 1]).all() and \
            (out[..., 1] == out[..., 2]).all()
        chosen.append(bool(gray))
        np.random.seed(seed)
        again = transform(dict(img=img.copy()))['img']
        assert np.array_equal(out, again)
    assert 0 < sum(chosen) < 20
    # probability 1 for the first pipeline: always gray
    np.random.seed(0)
    out = choice([1.0, 0.0])(dict(img=img.copy()))['img']
    assert (out[..., 0] == out[..., 2]).all()


def test_refuses_bad_probabilities():
    with pytest.raises(ValueError, match='sum to 1'):
        choice([0.5, 0.6])
    with pytest.raises(ValueError, match='at least one'):
        TRANSFORMS.build(dict(type='RandomPipelineChoice', pipelines=[]))
