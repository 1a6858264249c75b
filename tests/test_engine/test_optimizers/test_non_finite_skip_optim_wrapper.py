# Copyright (c) mmpixpro contributors. All rights reserved.
"""The optimiser wrappers that skip the step of a NaN/inf loss."""
import pytest
import torch
from mmengine.config import Config
from torch import nn

from mmpixpro.engine.optimizers import (GuardedAmpOptimWrapper,
                                        GuardedOptimWrapper,
                                        NonFiniteSkipAmpOptimWrapper,
                                        NonFiniteSkipOptimWrapper)
from mmpixpro.registry import OPTIM_WRAPPERS
from mmpixpro.utils import setup_amp


def wrapper_and_model():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    optim = torch.optim.SGD(model.parameters(), lr=0.5)
    return NonFiniteSkipOptimWrapper(optimizer=optim), model


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


@pytest.mark.parametrize('fp32,amp', [
    ('NonFiniteSkipOptimWrapper', 'NonFiniteSkipAmpOptimWrapper'),
    ('GuardedOptimWrapper', 'GuardedAmpOptimWrapper'),  # deprecated names
])
def test_setup_amp_keeps_the_guard(fp32, amp):
    cfg = Config(dict(optim_wrapper=dict(type=fp32)))
    if torch.cuda.is_available():
        setup_amp(cfg, True)
        assert cfg.optim_wrapper.type == amp
    else:
        with pytest.warns(UserWarning, match='fp32'):
            setup_amp(cfg, True)
        assert cfg.optim_wrapper.type == fp32
    cfg = Config(dict(optim_wrapper=dict(type=amp, dtype='bfloat16')))
    setup_amp(cfg, False)
    assert cfg.optim_wrapper == dict(type=fp32)


@pytest.mark.parametrize('old,new', [
    (GuardedOptimWrapper, NonFiniteSkipOptimWrapper),
    (GuardedAmpOptimWrapper, NonFiniteSkipAmpOptimWrapper),
])
def test_guarded_names_are_deprecated_aliases(old, new):
    assert issubclass(old, new) and OPTIM_WRAPPERS.get(old.__name__) is old
    if 'Amp' in new.__name__ and not torch.cuda.is_available():
        return  # mmengine's AmpOptimWrapper builds on accelerators only
    model = nn.Linear(3, 1)
    optim = torch.optim.SGD(model.parameters(), lr=0.5)
    with pytest.warns(DeprecationWarning, match=new.__name__):
        wrapper = OPTIM_WRAPPERS.build(
            dict(type=old.__name__, optimizer=optim))
    assert isinstance(wrapper, new)


def test_the_wrapper_does_not_touch_the_model():
    """The EMA step of momentum copies is MomentumHook's: the wrapper's
    context is mmengine's (no momentum copy is held or released)."""
    assert (NonFiniteSkipOptimWrapper.optim_context is
            OPTIM_WRAPPERS.get('OptimWrapper').optim_context)
