# Copyright (c) mmpixpro contributors. All rights reserved.
"""The learning-rate rules at known batch sizes."""
import math

import pytest

from mmpixpro.engine.optimizers import effective_batch_size, lr_scale_factor


@pytest.mark.parametrize('batch,lr', [(1024, 4.0), (256, 1.0), (64, 0.25),
                                      (2048, 8.0)])
def test_linear_rule_is_the_papers(batch, lr):
    # lr = 1.0 x B / 256 (the configs: lr 1.0 at base batch 256)
    assert 1.0 * lr_scale_factor(batch, 256) == pytest.approx(lr)


@pytest.mark.parametrize('batch,lr', [(1024, 4.0), (256, 2.0), (64, 1.0),
                                      (128, math.sqrt(2)),
                                      (4096, 8.0)])
def test_sqrt_rule_is_the_authors_advice(batch, lr):
    # lr = 4 x sqrt(B / 1024) (lr 4.0 at base batch 1024)
    assert 4.0 * lr_scale_factor(batch, 1024, 'sqrt') == pytest.approx(lr)


def test_effective_batch_counts_accumulation():
    assert effective_batch_size(8, 128) == 1024  # the paper's 8 x 128
    assert effective_batch_size(1, 64, 16) == 1024
    assert effective_batch_size(2, 64, 8) == 1024
    assert effective_batch_size(1, 64, 4) == 256


@pytest.mark.parametrize('args,match', [((256, 256, 'cubic'), 'rule'),
                                        ((0, 256, 'linear'), 'positive')])
def test_bad_rule_or_batch_is_refused(args, match):
    with pytest.raises(ValueError, match=match):
        lr_scale_factor(*args)
