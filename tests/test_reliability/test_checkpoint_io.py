# Copyright (c) mmpixpro contributors. All rights reserved.
"""Atomic saves, safe loading, refusal of unsafe files, foreign layouts."""
import argparse

import pytest
import torch
from mmengine.fileio.backends.local_backend import LocalBackend
from pixpro_testing import demo_cfg

from mmpixpro.registry import RUNNERS


@pytest.mark.slow
def test_interrupted_save_leaves_no_half_written_checkpoint(
        tiny_image_root, tmp_path, monkeypatch):
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work', max_epochs=2)
    real_put, calls = LocalBackend.put, []

    def put_then_crash(self, obj, filepath):
        calls.append(filepath)
        if len(calls) == 2:  # the epoch-2 checkpoint: half, then disk full
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise OSError('No space left on device')
        return real_put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', put_then_crash)
    with pytest.raises(OSError, match='No space'):
        RUNNERS.build(cfg).train()
    work = tmp_path / 'work'
    assert not (work / 'epoch_2.pth').exists()
    assert not list(work.glob('*.tmp'))
    good = torch.load(work / 'epoch_1.pth', weights_only=True)
    assert good['meta']['epoch'] == 1


@pytest.mark.slow
def test_plain_mmengine_checkpoint_is_refused_then_converted(
        tiny_image_root, tmp_path):
    from mmpixpro.checkpoint import (CheckpointRefusedError,
                                     make_checkpoint_plain)
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work', max_epochs=2)
    cfg.default_hooks.checkpoint.type = 'CheckpointHook'  # plain mmengine
    killed = RUNNERS.build(cfg)
    killed.train_loop._max_epochs = 1
    killed.train()
    ckpt = str(tmp_path / 'work' / 'epoch_1.pth')
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work', max_epochs=2)
    cfg.resume, cfg.load_from = True, ckpt
    with pytest.raises(CheckpointRefusedError) as err:
        RUNNERS.build(cfg).train()
    msg = str(err.value)
    assert 'builtins.getattr' in msg and 'plain mmengine' in msg
    assert 'make_checkpoint_plain' in msg
    # the user's own file, converted once, resumes
    make_checkpoint_plain(ckpt, str(tmp_path / 'plain.pth'))
    cfg.load_from = str(tmp_path / 'plain.pth')
    runner = RUNNERS.build(cfg)
    runner.train()
    assert runner.iter == 4


class Payload:
    """Pickles to a call of ``exec`` that would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f'open({self.marker!r}, "w").close()', )


def test_checkpoint_needing_code_execution_is_refused(tiny_image_root,
                                                      tmp_path):
    from mmpixpro.checkpoint import CheckpointRefusedError
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Payload(str(marker))}, evil)
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work')
    cfg.load_from = str(evil)
    with pytest.raises(CheckpointRefusedError) as err:
        RUNNERS.build(cfg).train()
    assert 'builtins.exec' in str(err.value)
    assert 'arbitrary code' in str(err.value)
    assert not marker.exists()


def test_allow_list_is_narrow():
    from mmpixpro.checkpoint import SAFE_GLOBALS
    assert SAFE_GLOBALS == (argparse.Namespace, )


def _model_state(tiny_image_root, tmp_path):
    cfg = demo_cfg(tiny_image_root, tmp_path / 'model')
    return RUNNERS.build(cfg).model.state_dict()


def _resnet18_weights():
    import torchvision
    torch.manual_seed(1)
    return torchvision.models.resnet18().state_dict()


@pytest.mark.parametrize('layout', ['torchvision', 'mmpretrain',
                                    'pixpro-official', 'mmpixpro'])
def test_foreign_checkpoint_is_mapped_and_reported(layout, tiny_image_root,
                                                   tmp_path):
    from mmpixpro.checkpoint import map_to_model
    ours = _model_state(tiny_image_root, tmp_path)
    tv = _resnet18_weights()
    if layout == 'torchvision':
        ckpt = tv
    elif layout == 'mmpretrain':
        ckpt = {'state_dict': {**{'backbone.' + k: v for k, v in tv.items()
                                  if not k.startswith('fc.')},
                               'head.fc.weight': torch.zeros(10, 512)}}
    elif layout == 'pixpro-official':
        model = {'module.encoder.' + k: v for k, v in tv.items()
                 if not k.startswith('fc.')}
        model.update({'module.encoder_k.' + k: v + 1 for k, v in tv.items()
                      if not k.startswith('fc.')})
        model['module.projector.linear1.weight'] = ours[
            'neck.mlp.0.weight'] + 2
        model['module.value_transform.weight'] = ours[
            'head.value_transform.0.weight'] + 3
        model['module.projector_instance.x'] = torch.zeros(3)
        ckpt = {'model': model, 'opt': argparse.Namespace(lr=1.0),
                'epoch': 100}
    else:
        ckpt = {'state_dict': {k: v + 1 for k, v in ours.items()}}
    path = tmp_path / 'foreign.pth'
    torch.save(ckpt, path)
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work')
    runner = RUNNERS.build(cfg)  # a SafeRunner: the safe, mapping loader
    runner.load_checkpoint(str(path))
    state = runner.model.state_dict()
    loaded = torch.load(path, weights_only=False)
    report = map_to_model(loaded, ours)
    assert report.source_format == layout
    if layout == 'mmpixpro':
        assert not report.missing and not report.unmatched
        assert torch.equal(state['backbone.conv1.weight'],
                           ours['backbone.conv1.weight'] + 1)
        return
    assert torch.equal(state['backbone.layer1.0.conv1.weight'],
                       tv['layer1.0.conv1.weight'])
    assert torch.equal(state['backbone.bn1.running_var'],
                       tv['bn1.running_var'])
    target = state['target_net.module.0.layer4.1.conv2.weight']
    if layout == 'pixpro-official':
        assert torch.equal(target, tv['layer4.1.conv2.weight'] + 1)
        assert torch.equal(state['neck.mlp.0.weight'],
                           ours['neck.mlp.0.weight'] + 2)
        assert torch.equal(state['head.value_transform.0.weight'],
                           ours['head.value_transform.0.weight'] + 3)
        assert report.unmatched == ['projector_instance.x']
    else:  # online weights only: the momentum copy starts equal to them
        assert torch.equal(target, tv['layer4.1.conv2.weight'])
        assert report.copied_to_target > 0
        assert report.unmatched == (['fc.bias', 'fc.weight'] if layout ==
                                    'torchvision' else ['head.fc.weight'])
    text = report.report('foreign.pth')
    assert layout in text and 'unmatched' in text and 'missing' in text


@pytest.mark.parametrize('layout', ['torchvision', 'mmpretrain'])
def test_backbone_of_another_depth_is_refused(layout, tiny_image_root,
                                              tmp_path):
    import torchvision

    from mmpixpro.checkpoint import BackboneMismatchError
    r50 = torchvision.models.resnet50().state_dict()
    ckpt = r50 if layout == 'torchvision' else {
        'state_dict': {'backbone.' + k: v for k, v in r50.items()}}
    path = tmp_path / 'r50.pth'
    torch.save(ckpt, path)
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work')  # a ResNet-18
    cfg.load_from = str(path)
    runner = RUNNERS.build(cfg)
    with pytest.raises(BackboneMismatchError) as err:
        runner.train()
    msg = str(err.value)
    assert msg.startswith(f'{path}: the backbone of the file is ResNet-50, '
                          'the model ResNet-18; e.g. backbone.')
    assert 'model.backbone.depth' in msg
    assert runner.iter == 0
    # not even the stem, whose shape is the same in both depths
    stem = runner.model.state_dict()['backbone.conv1.weight']
    assert not torch.equal(stem, r50['conv1.weight'])


def test_backbone_of_other_width_is_refused():
    from mmpixpro.checkpoint import BackboneMismatchError, map_to_model
    model = {'backbone.conv1.weight': torch.zeros(64, 3, 7, 7)}
    wide = {'state_dict': {'backbone.conv1.weight': torch.zeros(32, 3, 7, 7)}}
    with pytest.raises(BackboneMismatchError,
                       match=r'other tensor shapes than the model; e.g. '
                       r'backbone.conv1.weight: \(32, 3, 7, 7\) in the file'):
        map_to_model(wide, model, 'wide.pth')


def test_unknown_layout_is_named(tmp_path):
    from mmpixpro.checkpoint import map_to_model
    with pytest.raises(ValueError, match='unrecognised checkpoint layout'):
        map_to_model({'state_dict': {'foo.weight': torch.zeros(1)}},
                     {'backbone.x': torch.zeros(1)})


@pytest.mark.parametrize('kind', ['truncated', 'empty', 'random', 'text'])
def test_corrupt_file_is_named_as_corrupt_not_refused(tmp_path, kind):
    from mmpixpro.checkpoint import (CheckpointCorruptError,
                                     CheckpointRefusedError, load_state_dict,
                                     safe_load)
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(64, 64)}}, good)
    data = good.read_bytes()
    bad = tmp_path / f'{kind}.pth'
    bad.write_bytes({'truncated': data[:len(data) // 2], 'empty': b'',
                     'random': bytes(range(256)) * 8,
                     'text': b'hello world\n'}[kind])
    with pytest.raises(CheckpointCorruptError) as err:
        safe_load(str(bad))
    assert not isinstance(err.value, CheckpointRefusedError)
    assert str(err.value).startswith(f'corrupt or truncated: {bad} (')
    # the export tools say the same, as a ValueError
    with pytest.raises(ValueError, match='corrupt or truncated'):
        load_state_dict(str(bad))


def test_corrupt_load_from_fails_before_training(tiny_image_root, tmp_path):
    from mmpixpro.checkpoint import CheckpointCorruptError
    bad = tmp_path / 'cut.pth'
    bad.write_bytes(b'PK\x03\x04' + b'\x00' * 100)
    cfg = demo_cfg(tiny_image_root, tmp_path / 'work')
    cfg.load_from = str(bad)
    runner = RUNNERS.build(cfg)
    with pytest.raises(CheckpointCorruptError, match=str(bad)):
        runner.train()
    assert runner.iter == 0
