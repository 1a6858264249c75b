# Copyright (c) mmpixpro contributors. All rights reserved.
"""The optimiser wrappers that never step on a NaN/inf loss."""
import pytest
import torch
from mmengine.config import Config
from torch import nn

from mmpixpro.engine.optimizers import GuardedOptimWrapper
from mmpixpro.utils import setup_amp


def wrapper_and_model():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    optim = torch.optim.SGD(model.parameters(), lr=0.5)
    return GuardedOptimWrapper(optimizer=optim), model


@pytest.mark.parametrize('bad', [float('nan'), float('inf'), -float('inf')])
def test_bad_loss_leaves_parameters_and_sets_the_flag(bad):
    wrapper, model = wrapper_and_model()
    before = [p.detach().clone() for p in model.parameters()]
    loss = model(torch.ones(2, 3)).sum() * bad
    wrapper.update_params(loss)
    assert wrapper.skipped_step
    for old, new in zip(before, model.parameters()):
        assert torch.equal(old, new)
        assert new.grad is None or not new.grad.any()


def test_finite_loss_is_mmengines_step():
    wrapper, model = wrapper_and_model()
    x = torch.ones(2, 3)
    expected = model.weight.detach() - 0.5 * 2 * x[0]  # d(sum)/dw = 2 * x
    wrapper.update_params(model(x).sum())
    assert not wrapper.skipped_step
    assert torch.allclose(model.weight, expected)


def test_setup_amp_keeps_the_guard():
    cfg = Config(dict(optim_wrapper=dict(type='GuardedOptimWrapper')))
    if torch.cuda.is_available():
        setup_amp(cfg, True)
        assert cfg.optim_wrapper.type == 'GuardedAmpOptimWrapper'
    else:
        with pytest.warns(UserWarning, match='fp32'):
            setup_amp(cfg, True)
        assert cfg.optim_wrapper.type == 'GuardedOptimWrapper'
    cfg = Config(dict(optim_wrapper=dict(type='GuardedAmpOptimWrapper',
                                         dtype='bfloat16')))
    setup_amp(cfg, False)
    assert cfg.optim_wrapper == dict(type='GuardedOptimWrapper')
