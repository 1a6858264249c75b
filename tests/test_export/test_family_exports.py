# Copyright (c) mmpixpro contributors. All rights reserved.
"""Every demo config of the family (``configs/*/*_r18_demo.py``, found by
glob) exports to every target: the model is built from the config, saved
as a training checkpoint and converted with :func:`convert_checkpoint`;
each online backbone tensor arrives unchanged under the target's name, and
nothing else does (no momentum copy, neck, head, queue or prototype)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from pixpro_testing import ROOT, save_training_checkpoint, scratch_dir

from mmpixpro.checkpoint import load_d2_pkl
from mmpixpro.export import TARGETS, convert_checkpoint, mm_to_d2_key
from mmpixpro.registry import MODELS

DEMO_CONFIGS = sorted(
    glob.glob(osp.join(ROOT, 'configs', '*', '*_r18_demo.py')))
# pixpro, pixpro-ins, pixpro-fpn, pixcontrast, byol, mocov2, densecl;
# more demo configs are picked up as they land
FEWEST = 7


def config_id(path: str) -> str:
    return osp.basename(path)[:-len('_r18_demo.py')]


def exported_name(key: str, target: str):
    """The name of online ``backbone.<key>`` in ``target``'s file (None:
    not exported, e.g. detectron2 drops ``num_batches_tracked``)."""
    if target == 'detectron2':
        return mm_to_d2_key(key)
    return key if target == 'torchvision' else f'backbone.{key}'


def read_export(path: str, target: str) -> dict:
    if target == 'detectron2':
        return load_d2_pkl(path)['model']
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    return ckpt.get('state_dict', ckpt)


def fingerprint(tensor: torch.Tensor) -> tuple:
    return tuple(tensor.shape), float(tensor.double().sum())


def momentum_copies(state: dict) -> set:
    """Top-level modules holding a momentum copy (``<name>.module.*``)."""
    return {k.split('.', 1)[0] for k in state
            if k.split('.')[1:2] == ['module']}


@pytest.fixture(scope='module', params=DEMO_CONFIGS, ids=config_id)
def family_export(request, tmp_path_factory):
    """(model state, {target: exported tensors, 'fingerprints': those
    of every other tensor}) of one demo config."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(request.param).model)
    # a fresh build (no init_weights needed); as after training, every
    # tensor moved on its own (by its own offset), so the online backbone
    # differs from its momentum copy and from any other module
    with torch.no_grad():
        tensors = model.state_dict(keep_vars=True).values()
        for offset, tensor in enumerate(tensors, start=1):
            if tensor.is_floating_point():
                tensor.add_(offset)
    state = model.state_dict()
    exports = {}
    with scratch_dir(tmp_path_factory, config_id(request.param)) as tmp:
        src = save_training_checkpoint(state, tmp / 'epoch_12.pth')
        for target in TARGETS:
            ext = '.pkl' if target == 'detectron2' else '.pth'
            summary = convert_checkpoint(src, target,
                                         str(tmp / f'{target}{ext}'))
            exports[target] = read_export(summary.path, target)
    # every tensor has its own offset: (shape, sum) tells them apart
    exports['fingerprints'] = {
        fingerprint(v) for k, v in state.items()
        if not k.startswith('backbone.') and v.numel() > 1}
    return state, exports


def test_every_demo_config_is_found():
    assert len(DEMO_CONFIGS) >= FEWEST, DEMO_CONFIGS


@pytest.mark.parametrize('target', TARGETS)
def test_online_backbone_arrives_unchanged(family_export, target):
    state, exports = family_export
    tensors = exports[target]
    backbone = {k[len('backbone.'):]: v for k, v in state.items()
                if k.startswith('backbone.')}
    expected = {exported_name(k, target): v for k, v in backbone.items()}
    expected.pop(None, None)
    # exactly the online backbone's tensors, under the target's names
    assert set(tensors) == set(expected)
    assert len(expected) >= 100  # a ResNet-18: 102 tensors, 122 with BN
    for name, value in expected.items():
        assert torch.equal(tensors[name], value), (target, name)


@pytest.mark.parametrize('target', TARGETS)
def test_nothing_but_the_online_backbone_is_exported(family_export, target):
    state, exports = family_export
    tensors = exports[target]
    copies = momentum_copies(state)
    others = exports['fingerprints']
    assert others  # necks, heads, copies, queues: at least one of them
    for name, value in tensors.items():
        top = name.split('.', 1)[0]
        assert top not in copies and not name.startswith(
            ('neck.', 'head.', 'fpn.', 'queue', 'prototypes')), name
        # whatever its name: no value of a non-backbone tensor
        assert fingerprint(value) not in others, (target, name)
