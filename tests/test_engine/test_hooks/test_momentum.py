# Copyright (c) mmpixpro contributors. All rights reserved.
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from torch import nn

from mmpixpro.engine import MomentumHook
from mmpixpro.models.utils import MomentumEncoder, cosine_momentum
from mmpixpro.models.utils.momentum_encoder import momentum_held


@pytest.mark.parametrize('k,expected', [(0, 0.99), (500, 0.995),
                                        (1000, 1.0), (250, 0.99146447)])
def test_cosine_momentum_at_known_iterations(k, expected):
    # m = 1 - 0.01 (cos(pi k / K) + 1) / 2; k = K/4: 1 - .005 (1 + .70711)
    assert cosine_momentum(k, 1000, 0.99) == pytest.approx(expected, abs=1e-8)


def fake_runner(model, cur_iter, max_iters, counts=1):
    hub = MessageHub.get_instance('test_momentum_hook')
    optim = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
    return SimpleNamespace(
        model=model, iter=cur_iter, max_iters=max_iters, message_hub=hub,
        optim_wrapper=OptimWrapper(optim, accumulative_counts=counts))


def test_hook_sets_momentum_from_global_iteration():
    model = nn.Module()
    model.target = MomentumEncoder(nn.Linear(2, 2))  # m0 = 0.99
    model.key = MomentumEncoder(nn.Linear(2, 2), base_momentum=0.996)
    hook = MomentumHook()
    for k, expected in [(0, 0.99), (50, 0.995), (100, 1.0)]:
        runner = fake_runner(model, k, 100)
        hook.before_train_iter(runner, batch_idx=0)
        assert model.target.momentum == pytest.approx(expected)
        logged = runner.message_hub.get_scalar('train/momentum').current()
        assert logged == pytest.approx(expected)
    # each copy is annealed from its own m0: 1 - 0.004 (cos(pi/2) + 1) / 2
    assert model.key.momentum == pytest.approx(1.0)
    hook.before_train_iter(fake_runner(model, 50, 100), batch_idx=0)
    assert model.key.momentum == pytest.approx(0.998)
    # after a "resume" at k = 50 the schedule continues, it does not restart
    hook = MomentumHook()
    hook.before_train_iter(fake_runner(model, 50, 100), batch_idx=0)
    assert model.target.momentum == pytest.approx(0.995)


@pytest.mark.parametrize('cur_iter,expected', [
    (0, 0.99), (3, 0.99), (4, 0.9925), (7, 0.9925), (8, 0.9975),
    (9, 0.9975)])
def test_hook_follows_the_optimizer_step_with_accumulation(cur_iter,
                                                          expected):
    # K = 10 iterations, 4 accumulated per step: S = 3 steps (4 + 4 + 2),
    # m = 1 - 0.01 (cos(pi s / 3) + 1) / 2 for step s = i // 4
    model = nn.Module()
    model.target = MomentumEncoder(nn.Linear(2, 2))
    MomentumHook().before_train_iter(
        fake_runner(model, cur_iter, 10, counts=4), batch_idx=0)
    assert model.target.momentum == pytest.approx(expected, abs=1e-9)


def test_hook_rejects_model_without_momentum_copy():
    with pytest.raises(TypeError, match='no MomentumEncoder'):
        MomentumHook().before_train_iter(
            fake_runner(nn.Linear(1, 1), 0, 1), batch_idx=0)


def test_momentum_encoder_ema_updates_parameters_only():
    online = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    target = MomentumEncoder(online)
    assert all(not p.requires_grad for p in target.parameters())
    before = [p.clone() for p in target.parameters()]
    with torch.no_grad():
        for p in online.parameters():
            p.add_(1.0)
        online[1].running_mean.fill_(5.0)
    target.update(online.parameters(), momentum=0.9)
    for t, b, o in zip(target.parameters(), before, online.parameters()):
        assert torch.allclose(t, 0.9 * b + 0.1 * o)
    # BN buffers are not averaged
    assert torch.equal(target.module[1].running_mean, torch.zeros(3))
    target.sync(online.parameters())
    for t, o in zip(target.parameters(), online.parameters()):
        assert torch.equal(t, o)
    with pytest.raises(ValueError, match='does not match'):
        target.update(nn.Linear(3, 4).parameters(), 0.9)


def test_held_copy_skips_its_ema_step_until_released():
    model = nn.Module()
    model.target = MomentumEncoder(nn.Linear(2, 2))
    online = nn.Linear(2, 2)
    before = [p.clone() for p in model.target.parameters()]
    with momentum_held(model):
        model.target.update(online.parameters(), momentum=0.5)
        assert all(torch.equal(a, b) for a, b in
                   zip(before, model.target.parameters()))
        with momentum_held(model, hold=False):
            assert not model.target.held
        assert model.target.held  # the outer state is restored
    assert not model.target.held
    model.target.update(online.parameters(), momentum=0.5)
    for old, new, o in zip(before, model.target.parameters(),
                           online.parameters()):
        assert torch.allclose(new, 0.5 * old + 0.5 * o)


def test_hook_holds_the_copies_in_all_micro_batches_but_the_first():
    # k = 4: iterations 0, 4, 8 start an optimiser step; released after
    model = nn.Module()
    model.target = MomentumEncoder(nn.Linear(2, 2))
    hook = MomentumHook()
    for cur_iter in range(10):
        runner = fake_runner(model, cur_iter, 10, counts=4)
        hook.before_train_iter(runner, batch_idx=0)
        assert model.target.held == (cur_iter % 4 != 0)
        hook.after_train_iter(runner, batch_idx=0)
        assert not model.target.held


def test_hook_without_schedule_keeps_m_constant():
    model = nn.Module()
    model.key = MomentumEncoder(nn.Linear(2, 2), base_momentum=0.999)
    hook = MomentumHook(schedule=None)
    for cur_iter in (0, 5, 9):
        runner = fake_runner(model, cur_iter, 10)
        hook.before_train_iter(runner, batch_idx=0)
        assert model.key.momentum == 0.999
        logged = runner.message_hub.get_scalar('train/momentum').current()
        assert logged == 0.999
    with pytest.raises(ValueError, match='schedule'):
        MomentumHook(schedule='linear')


def test_cosine_momentum_hook_is_a_deprecated_alias():
    from mmpixpro.registry import HOOKS
    with pytest.warns(DeprecationWarning, match='MomentumHook'):
        hook = HOOKS.build(dict(type='CosineMomentumHook'))
    assert isinstance(hook, MomentumHook) and hook.schedule == 'cosine'
    model = nn.Module()
    model.target = MomentumEncoder(nn.Linear(2, 2))
    hook.before_train_iter(fake_runner(model, 50, 100), batch_idx=0)
    assert model.target.momentum == pytest.approx(0.995)
