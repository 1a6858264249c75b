# Copyright (c) mmpixpro contributors. All rights reserved.
"""A NaN loss stops the run (or skips the step); checkpoints stay good."""
import pytest
import torch
from mmengine.hooks import Hook
from pixpro_testing import demo_cfg, make_images

from mmpixpro.registry import RUNNERS


class PoisonLossAt(Hook):
    """Make every loss term NaN at one (1-based) iteration."""

    priority = 'VERY_HIGH'

    def __init__(self, iteration):
        self.iteration = iteration

    def before_train(self, runner):
        model, loss = runner.model, runner.model.loss

        def poisoned(*args, **kwargs):
            out = loss(*args, **kwargs)
            if runner.iter + 1 == self.iteration:
                out = {k: v * float('nan') for k, v in out.items()}
            return out

        model.loss = poisoned


def _runner(tmp_path, action):
    root = make_images(tmp_path / 'images' / 'a', 4).parent
    cfg = demo_cfg(root, tmp_path / 'work')
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
    cfg.default_hooks.checkpoint = dict(
        type='SafeCheckpointHook', interval=1, by_epoch=False)
    cfg.default_hooks.non_finite_loss = dict(
        type='NonFiniteLossHook', action=action)
    runner = RUNNERS.build(cfg)
    runner.register_hook(PoisonLossAt(3))
    return runner


def _finite(state_dict):
    return all(torch.isfinite(v.float()).all() for v in state_dict.values())


@pytest.mark.slow
def test_nan_loss_stops_with_iteration_and_terms(tmp_path):
    runner = _runner(tmp_path, 'stop')
    with pytest.raises(FloatingPointError) as err:
        runner.train()
    assert 'iteration 3' in str(err.value) and 'loss=nan' in str(err.value)
    work = tmp_path / 'work'
    assert f'Newest checkpoint (all finite): {work / "iter_2.pth"}' in str(
        err.value)
    assert not (work / 'iter_3.pth').exists()
    good = torch.load(work / 'iter_2.pth', weights_only=True)
    assert _finite(good['state_dict'])
    assert _finite(runner.model.state_dict())


class SetStateAt(Hook):
    """Write ``value`` into the first element of one model state entry
    after an iteration: an inf BN variance, as a huge learning rate gives
    before the loss itself turns NaN, or a finite but diverged weight."""

    priority = 'HIGH'  # before the checkpoint hook

    def __init__(self, iteration, key, value):
        self.iteration, self.key, self.value = iteration, key, value

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.iteration:
            with torch.no_grad():
                entry = runner.model.state_dict()[self.key]
                entry[(0, ) * entry.dim()] = self.value


@pytest.mark.slow
def test_non_finite_state_is_never_saved(tmp_path):
    from mmpixpro.engine import NonFiniteStateError
    runner = _runner(tmp_path, 'stop')
    runner.register_hook(
        SetStateAt(2, 'backbone.bn1.running_var', float('inf')))
    with pytest.raises(NonFiniteStateError) as err:
        runner.train()
    work = tmp_path / 'work'
    msg = str(err.value)
    assert 'state_dict.backbone.bn1.running_var' in msg
    assert f'Newest checkpoint (all finite): {work / "iter_1.pth"}' in msg
    assert not (work / 'iter_2.pth').exists()
    assert (work / 'last_checkpoint').read_text() == str(work / 'iter_1.pth')
    assert _finite(torch.load(work / 'iter_1.pth',
                              weights_only=True)['state_dict'])


@pytest.mark.slow
@pytest.mark.parametrize('poison', ['inf', 'diverged'])
def test_refused_state_names_the_file_it_does_not_write(tmp_path, poison):
    """The error names ``iter_2.pth`` (not "iteration 1"), and a finite but
    diverged state is refused like a NaN one, so the newest checkpoint it
    names can be resumed."""
    from mmpixpro.engine import NonFiniteStateError
    runner = _runner(tmp_path, 'stop')
    key, value = (('backbone.bn1.running_var', float('inf'))
                  if poison == 'inf' else ('backbone.conv1.weight', 2.65e30))
    runner.register_hook(SetStateAt(2, key, value))
    with pytest.raises(NonFiniteStateError) as err:
        runner.train()
    work = tmp_path / 'work'
    msg = str(err.value)
    assert msg.startswith('Not writing iter_2.pth: ')
    assert f'Newest checkpoint (all finite): {work / "iter_1.pth"}' in msg
    if poison == 'diverged':
        assert 'state_dict.backbone.conv1.weight: 2.65e+30' in msg
        assert 'exceed 1e+10' in msg
    assert not (work / 'iter_2.pth').exists()


def test_non_finite_entries_names_every_bad_value():
    from mmpixpro.checkpoint import non_finite_entries
    inf = float('inf')
    ckpt = {'state_dict': {'a': torch.tensor([1.0, inf]),
                           'n': torch.tensor([3]),  # integers never are
                           'b': torch.zeros(2)},
            'optimizer': {'state': {0: {'momentum_buffer': torch.tensor(
                [float('nan')])}}, 'param_groups': [{'lr': inf}]},
            'meta': {'note': 'text'}}
    assert non_finite_entries(ckpt) == [
        'state_dict.a', 'optimizer.state.0.momentum_buffer',
        'optimizer.param_groups.0.lr']
    assert non_finite_entries({'state_dict': {'b': torch.zeros(2)}}) == []


@pytest.mark.slow
def test_skip_option_skips_the_step_and_goes_on(tmp_path):
    runner = _runner(tmp_path, 'skip')
    runner.train()
    assert runner.iter == 4
    assert runner.message_hub.get_info('skipped_steps') == 1
    last = torch.load(tmp_path / 'work' / 'iter_4.pth', weights_only=True)
    assert _finite(last['state_dict'])


def test_unguarded_wrapper_is_refused_before_training(tmp_path):
    root = make_images(tmp_path / 'images' / 'a', 4).parent
    cfg = demo_cfg(root, tmp_path / 'work')
    cfg.optim_wrapper.type = 'OptimWrapper'
    runner = RUNNERS.build(cfg)
    with pytest.raises(TypeError, match='NonFiniteSkipOptimWrapper'):
        runner.train()
    assert runner.iter == 0
