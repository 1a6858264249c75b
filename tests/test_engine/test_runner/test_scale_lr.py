# Copyright (c) mmpixpro contributors. All rights reserved.
"""SafeRunner: auto_scale_lr counts the accumulated micro-batches and
takes the rule of the config; accumulation needs a Guarded wrapper."""
import math

import pytest
from pixpro_testing import demo_cfg

from mmpixpro.registry import RUNNERS


def built_wrapper(cfg, auto_scale_lr):
    """Build the runner and its wrapper, then scale as Runner.train does."""
    runner = RUNNERS.build(cfg)
    wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    runner.scale_lr(wrapper, auto_scale_lr)
    return wrapper


@pytest.mark.parametrize('rule,lr,base,expected', [
    # B = 1 process x 2 images x 4 accumulated = 8
    ('linear', 1.0, 256, 8 / 256),
    ('sqrt', 4.0, 1024, 4 * math.sqrt(8 / 1024)),
])
def test_scale_lr_uses_the_effective_batch(tiny_image_root, tmp_path, rule,
                                           lr, base, expected):
    cfg = demo_cfg(tiny_image_root, tmp_path, batch_size=2)
    cfg.optim_wrapper.accumulative_counts = 4
    cfg.optim_wrapper.optimizer.lr = lr
    wrapper = built_wrapper(
        cfg, dict(enable=True, base_batch_size=base, rule=rule))
    assert [g['lr'] for g in wrapper.optimizer.param_groups] == \
        pytest.approx([expected])


def test_scale_lr_disabled_keeps_the_lr(tiny_image_root, tmp_path):
    cfg = demo_cfg(tiny_image_root, tmp_path, batch_size=2)
    wrapper = built_wrapper(cfg, dict(enable=False, base_batch_size=256))
    assert wrapper.optimizer.param_groups[0]['lr'] == \
        cfg.optim_wrapper.optimizer.lr
