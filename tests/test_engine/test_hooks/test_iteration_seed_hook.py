# Copyright (c) mmpixpro contributors. All rights reserved.
"""IterationSeedHook: each step's draws from torch's global generator are a
function of (seed, iteration, rank), whatever was drawn before, so that a
resumed run's stochastic depth equals the uninterrupted run's."""
from types import SimpleNamespace

import torch
from mmpixpro.engine.hooks import IterationSeedHook, iteration_seed
from mmpixpro.registry import MODELS


def test_seed_formula_by_hand():
    assert iteration_seed(0, 5) == 5
    assert iteration_seed(1, 0) == 1_000_003
    # (2 * 1000003 + 3) * 4 + 1
    assert iteration_seed(2, 3, rank=1, world_size=4) == 8_000_037
    seeds = {iteration_seed(7, it, r, 2) for it in range(50) for r in (0, 1)}
    assert len(seeds) == 100  # distinct per (iteration, rank)


def draws_at(iteration: int, seed=3, warm_up_draws: int = 0) -> torch.Tensor:
    """What a step at ``iteration`` draws after the hook ran, with
    ``warm_up_draws`` numbers drawn before (another history)."""
    torch.rand(warm_up_draws)
    runner = SimpleNamespace(iter=iteration, seed=seed)
    IterationSeedHook().before_train_iter(runner, batch_idx=0)
    return torch.rand(4)


def test_draws_depend_on_the_iteration_not_the_history():
    expected = torch.Generator().manual_seed(iteration_seed(3, 7))
    assert torch.equal(draws_at(7), torch.rand(4, generator=expected))
    assert torch.equal(draws_at(7, warm_up_draws=11), draws_at(7))
    assert not torch.equal(draws_at(8), draws_at(7))
    assert not torch.equal(draws_at(7, seed=4), draws_at(7))
    # an explicit seed wins over the runner's
    runner = SimpleNamespace(iter=7, seed=99)
    IterationSeedHook(seed=3).before_train_iter(runner, batch_idx=0)
    assert torch.equal(torch.rand(4), draws_at(7))


def test_stochastic_depth_repeats_at_the_same_iteration():
    torch.manual_seed(0)
    net = MODELS.build(dict(type='ConvNeXt', arch='atto', drop_path_rate=0.5,
                            gap_before_final_norm=False))
    net.train()
    x = torch.randn(2, 3, 32, 32)
    runner = SimpleNamespace(iter=4, seed=0)
    hook = IterationSeedHook()
    hook.before_train_iter(runner, batch_idx=0)
    first = net(x)[-1]
    torch.rand(5)  # a resumed run's history differs
    hook.before_train_iter(runner, batch_idx=0)
    assert torch.equal(net(x)[-1], first)
    runner.iter = 5
    hook.before_train_iter(runner, batch_idx=0)
    assert not torch.allclose(net(x)[-1], first)  # other blocks dropped
