# Copyright (c) mmpixpro contributors. All rights reserved.
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from torch import nn

from mmpixpro.engine import CosineMomentumHook
from mmpixpro.models.utils import MomentumEncoder, cosine_momentum


@pytest.mark.parametrize('k,expected', [(0, 0.99), (500, 0.995),
                                        (1000, 1.0), (250, 0.99146447)])
def test_cosine_momentum_at_known_iterations(k, expected):
    # m = 1 - 0.01 (cos(pi k / K) + 1) / 2; k = K/4: 1 - .005 (1 + .70711)
    assert cosine_momentum(k, 1000, 0.99) == pytest.approx(expected, abs=1e-8)


def fake_runner(model, cur_iter, max_iters):
    hub = MessageHub.get_instance('test_momentum_hook')
    return SimpleNamespace(
        model=model, iter=cur_iter, max_iters=max_iters, message_hub=hub)


def test_hook_sets_momentum_from_global_iteration():
    model = nn.Module()
    model.target = MomentumEncoder(nn.Linear(2, 2))  # m0 = 0.99
    model.key = MomentumEncoder(nn.Linear(2, 2), base_momentum=0.996)
    hook = CosineMomentumHook()
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
    hook = CosineMomentumHook()
    hook.before_train_iter(fake_runner(model, 50, 100), batch_idx=0)
    assert model.target.momentum == pytest.approx(0.995)


def test_hook_rejects_model_without_momentum_copy():
    with pytest.raises(TypeError, match='no MomentumEncoder'):
        CosineMomentumHook().before_train_iter(
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
