# Copyright (c) mmpixpro contributors. All rights reserved.
"""Gradient accumulation: k micro-batches of b make one step of k*b, with
one momentum (EMA) step per optimiser step."""
import copy
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from pixpro_testing import build, tiny_pixpro_cfg, two_views
from torch import nn

from mmpixpro.engine import MomentumHook
from mmpixpro.engine.optimizers import (NonFiniteSkipOptimWrapper,
                                        PixProLARS, accumulative_counts,
                                        optimizer_step_of)
from mmpixpro.models.utils import cosine_momentum

SIZE = 64  # ResNet-18 C5 of 2 x 2 bins


def boxed_batch(n: int, seed: int) -> dict:
    """A collated batch of n samples with different crop boxes each."""
    torch.manual_seed(seed)
    inputs, samples = two_views(n, SIZE)
    for sample in samples:
        lo = torch.rand(2) * 0.3
        hi = 0.7 + torch.rand(2) * 0.3
        sample.set_field(torch.tensor([[0., 0., 1., 1.],
                                       [lo[0], lo[1], hi[0], hi[1]]]),
                         'crop_boxes')
    # pixel values in the data preprocessor's range
    return dict(inputs=[v * 50 + 120 for v in inputs], data_samples=samples)


def split(batch: dict, k: int) -> list:
    """The batch cut into k micro-batches along the samples."""
    n = len(batch['data_samples']) // k
    return [
        dict(inputs=[v[i * n:(i + 1) * n] for v in batch['inputs']],
             data_samples=batch['data_samples'][i * n:(i + 1) * n])
        for i in range(k)
    ]


def lars_wrapper(model, k: int,
                 max_iters: int) -> NonFiniteSkipOptimWrapper:
    """The configs' wrapper: PixProLARS (a large trust coefficient, so that
    one step moves the weights visibly), k micro-batches per step."""
    optim = PixProLARS(model.parameters(), lr=0.5, weight_decay=1e-5,
                       eta=0.05)
    wrapper = NonFiniteSkipOptimWrapper(optimizer=optim,
                                        accumulative_counts=k)
    wrapper.initialize_count_status(model, 0, max_iters)
    return wrapper


def runner_step(hook, model, wrapper, i: int, max_iters: int,
                batch: dict) -> dict:
    """Iteration i as the Runner runs it: the momentum hook around
    ``train_step``."""
    runner = SimpleNamespace(
        model=model, iter=i, max_iters=max_iters, optim_wrapper=wrapper,
        message_hub=MessageHub.get_instance('test_accumulation'))
    hook.before_train_iter(runner, batch_idx=i)
    log_vars = model.train_step(batch, wrapper)
    hook.after_train_iter(runner, batch_idx=i)
    return log_vars


def tiny_pixpro():
    """Tiny PixPro in eval mode: BN normalises with its running statistics,
    so every image's loss is independent of the others in its batch (the
    case in which accumulation can equal the large batch exactly)."""
    torch.manual_seed(0)
    model = build(tiny_pixpro_cfg(18, 16, 8, channels_last=False))
    model.eval()
    model.momentum = 0.9  # large enough for every EMA step to show
    return model


def assert_close(xs, ys, what: str) -> None:
    xs, ys = list(xs), list(ys)
    assert len(xs) == len(ys) > 0, what
    for i, (x, y) in enumerate(zip(xs, ys)):
        assert torch.allclose(x, y, rtol=1e-4, atol=1e-6), (what, i)


@pytest.mark.parametrize('k', [2, 4])
def test_k_micro_batches_equal_one_batch_of_k_times_b(k):
    steps, b = 3, 2
    big = tiny_pixpro()
    acc = copy.deepcopy(big)
    init_target = [p.clone() for p in big.target_net.parameters()]
    big_wrapper = lars_wrapper(big, 1, steps)
    acc_wrapper = lars_wrapper(acc, k, steps * k)
    hook = MomentumHook(schedule=None)  # m = 0.9 of tiny_pixpro
    for step in range(steps):
        batch = boxed_batch(k * b, seed=step)
        big_loss = runner_step(hook, big, big_wrapper, step, steps,
                               batch)['loss'].item()
        micro = [runner_step(hook, acc, acc_wrapper, step * k + j,
                             steps * k, m)['loss'].item()
                 for j, m in enumerate(split(batch, k))]
        # the mean loss over k*b images is the mean of the k micro losses
        assert sum(micro) / k == pytest.approx(big_loss, rel=1e-5, abs=1e-6)
    online = [p for p in big.parameters() if p.requires_grad]
    assert_close(online, [p for p in acc.parameters() if p.requires_grad],
                 'online weights')
    state_big = [big_wrapper.optimizer.state[p]['momentum_buffer']
                 for p in online]
    state_acc = [acc_wrapper.optimizer.state[p]['momentum_buffer']
                 for p in acc.parameters() if p.requires_grad]
    assert_close(state_big, state_acc, 'LARS momentum buffers')
    assert_close(big.target_net.parameters(), acc.target_net.parameters(),
                 'momentum copy')
    # the test is not vacuous: the weights and the copy moved
    assert not torch.allclose(online[0], big.target_net.module[0]
                              .conv1.weight)
    assert not all(torch.equal(a, b) for a, b in
                   zip(init_target, big.target_net.parameters()))


def test_an_ema_step_per_micro_batch_would_differ():
    """The equality above needs one EMA step per optimiser step: with the
    momentum copy stepping in every micro-batch (no MomentumHook to hold
    it) the copy ends elsewhere."""
    big = tiny_pixpro()
    acc = copy.deepcopy(big)
    big_wrapper = lars_wrapper(big, 1, 2)
    plain = OptimWrapper(
        PixProLARS(acc.parameters(), lr=0.5, weight_decay=1e-5, eta=0.05),
        accumulative_counts=2)
    plain.initialize_count_status(acc, 0, 4)
    for step in range(2):
        batch = boxed_batch(4, seed=step)
        big.train_step(batch, big_wrapper)
        for micro in split(batch, 2):
            acc.train_step(micro, plain)
    far = [not torch.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(
        big.target_net.parameters(), acc.target_net.parameters())]
    assert any(far)


class EMASpy:
    """Records the ``1 - m`` of every EMA step that really runs."""

    def __init__(self, monkeypatch):
        self.weights = []
        lerp = torch._foreach_lerp_

        def spy(targets, online, weight):
            self.weights.append(weight)
            return lerp(targets, online, weight)

        monkeypatch.setattr(torch, '_foreach_lerp_', spy)

    @property
    def momenta(self) -> list:
        return [1 - w for w in self.weights]


def run_iterations(model, wrapper, iters, max_iters, spy):
    """Hook + train_step as the Runner runs them; per iteration, the
    number of EMA steps so far and whether the online weights changed."""
    hook = MomentumHook()
    hub = MessageHub.get_instance('test_accumulation')
    log = []
    for i in iters:
        runner = SimpleNamespace(model=model, iter=i, max_iters=max_iters,
                                 optim_wrapper=wrapper, message_hub=hub)
        hook.before_train_iter(runner, batch_idx=i)
        before = model.backbone.conv1.weight.detach().clone()
        model.train_step(boxed_batch(2, seed=i), wrapper)
        moved = not torch.equal(before, model.backbone.conv1.weight)
        log.append((len(spy.weights), moved))
    return log


def test_momentum_advances_once_per_optimizer_step(monkeypatch):
    # K = 7 iterations, k = 3: steps after iterations 2, 5 and 6 (the
    # last one is mmengine's shorter remainder), S = ceil(7 / 3) = 3
    spy = EMASpy(monkeypatch)
    model = tiny_pixpro()
    model.train()
    wrapper = lars_wrapper(model, 3, 7)
    log = run_iterations(model, wrapper, range(7), 7, spy)
    # one EMA step at the first micro-batch of each optimiser step
    assert [n for n, _ in log] == [1, 1, 1, 2, 2, 2, 3]
    assert [moved for _, moved in log] == [False, False, True, False,
                                           False, True, True]
    # m of that step: 1 - 0.01 (cos(pi s / 3) + 1) / 2 for s = 0, 1, 2
    assert spy.momenta == pytest.approx([0.99, 0.9925, 0.9975], abs=1e-9)
    assert spy.momenta == pytest.approx(
        [cosine_momentum(s, 3, 0.99) for s in range(3)], abs=1e-12)


def test_resumed_run_steps_the_momentum_where_it_stopped(monkeypatch):
    # a resume at iteration 3 (a step boundary): mmengine sets the inner
    # count to the iteration; the copy steps at 3 and 6 with m of s = 1, 2
    spy = EMASpy(monkeypatch)
    model = tiny_pixpro()
    model.train()
    wrapper = lars_wrapper(model, 3, 7)
    wrapper.initialize_count_status(model, 3, 7)
    log = run_iterations(model, wrapper, range(3, 7), 7, spy)
    assert [n for n, _ in log] == [1, 1, 1, 2]
    assert spy.momenta == pytest.approx([0.9925, 0.9975], abs=1e-9)


@pytest.mark.parametrize('i,k,K,expected', [
    (0, 1, 10, (0, 10)), (9, 1, 10, (9, 10)), (5, 4, 10, (1, 3)),
    (8, 4, 10, (2, 3)), (15, 16, 20018 * 100, (0, 125113))])
def test_optimizer_step_of_iteration(i, k, K, expected):
    # ImageNet at 1 x 64: 20018 iterations an epoch, 100 epochs, k = 16:
    # ceil(2001800 / 16) = 125113 optimiser steps
    assert optimizer_step_of(i, K, k) == expected
    assert expected[1] == math.ceil(K / k)


def test_accumulative_counts_reads_the_wrapper():
    optim = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
    assert accumulative_counts(OptimWrapper(optim)) == 1
    assert accumulative_counts(
        NonFiniteSkipOptimWrapper(optim, accumulative_counts=8)) == 8


def linear_wrapper(k: int):
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    wrapper = NonFiniteSkipOptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.5), accumulative_counts=k)
    wrapper.initialize_count_status(model, 0, 4)
    return model, wrapper


def test_non_finite_micro_batch_skips_its_whole_step():
    model, wrapper = linear_wrapper(2)
    x = [torch.randn(2, 3, generator=torch.Generator().manual_seed(i))
         for i in range(4)]
    before = model.weight.detach().clone()
    wrapper.update_params(model(x[0]).sum())  # finite, accumulated
    wrapper.update_params(model(x[1]).sum() * float('nan'))
    assert wrapper.skipped_step
    # the step was not applied, the accumulated gradient dropped, the
    # micro-batch counted (steps stay aligned with the iterations)
    assert torch.equal(model.weight, before)
    assert model.weight.grad is None or not model.weight.grad.any()
    assert wrapper.inner_count == 2
    wrapper.skipped_step = False
    # the next step is as if the bad one had never been there
    ref, ref_wrapper = linear_wrapper(2)
    for xi in x[2:]:
        wrapper.update_params(model(xi).sum())
        ref_wrapper.update_params(ref(xi).sum())
    assert not wrapper.skipped_step
    assert torch.allclose(model.weight, ref.weight)
    assert not torch.equal(model.weight, before)


def test_bad_first_micro_batch_discards_the_rest_of_its_step():
    model, wrapper = linear_wrapper(2)
    before = model.weight.detach().clone()
    wrapper.update_params(model(torch.ones(2, 3)).sum() * float('inf'))
    wrapper.update_params(model(torch.ones(2, 3)).sum())  # same step
    assert torch.equal(model.weight, before)
    assert model.weight.grad is None or not model.weight.grad.any()
    wrapper.update_params(model(torch.ones(2, 3)).sum())
    wrapper.update_params(model(torch.ones(2, 3)).sum())
    assert not torch.equal(model.weight, before)
