# Copyright (c) mmpixpro contributors. All rights reserved.
"""CP2's export to mmseg DeepLabV3: the ASPP key map, the R18 demo export
with and without ``--with-head``, the refusals, and (marker
``downstream``) mmseg's DeepLabV3 built from the benchmark config loading
every exported tensor unchanged."""
import importlib.util
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from pixpro_testing import ROOT, save_training_checkpoint, scratch_dir

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.export import (aspp_to_decode_head, convert_checkpoint,
                             mmseg_aspp_shapes, verify_aspp, verify_export)
from mmpixpro.registry import MODELS

DEMO = osp.join(ROOT, 'configs', 'cp2', 'cp2_r18_demo.py')
# runs in the downstream environment (make downstream-env), skips here
NEEDS_MMSEG = pytest.mark.skipif(
    importlib.util.find_spec('mmseg') is None,
    reason='mmseg is not importable here: run `make downstream-env && '
    'make test-downstream`')
BENCH = osp.join(ROOT, 'configs', 'benchmarks', 'mmsegmentation',
                 'deeplabv3_r50-d16_cp2-pre_4xb4-40k_voc12aug-512x512.py')


def test_aspp_key_map_equals_mmseg_aspphead_by_hand():
    # mmseg 1.2.2 ASPPHead(in_channels=8, channels=4, dilations=(1, 6)),
    # BN, conv_seg left out; ConvModule with norm has no conv bias
    bn = {'weight': (4, ), 'bias': (4, ), 'running_mean': (4, ),
          'running_var': (4, ), 'num_batches_tracked': ()}
    expected = {'image_pool.1.conv.weight': (4, 8, 1, 1),
                'aspp_modules.0.conv.weight': (4, 8, 1, 1),
                'aspp_modules.1.conv.weight': (4, 8, 3, 3),
                'bottleneck.conv.weight': (4, 12, 3, 3)}
    for name in ('image_pool.1', 'aspp_modules.0', 'aspp_modules.1',
                 'bottleneck'):
        expected.update({f'{name}.bn.{k}': v for k, v in bn.items()})
    assert mmseg_aspp_shapes(8, 4, (1, 6)) == expected
    renamed = aspp_to_decode_head({'bottleneck.conv.weight': 1})
    assert renamed == {'decode_head.bottleneck.conv.weight': 1}


@pytest.fixture(scope='module')
def cp2_demo_checkpoint(tmp_path_factory):
    """The demo model's state (each tensor moved by its own offset) saved
    as a training checkpoint."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(DEMO).model)
    with torch.no_grad():
        for offset, t in enumerate(model.state_dict(keep_vars=True).values(),
                                   start=1):
            if t.is_floating_point():
                t.add_(offset)
    state = model.state_dict()
    with scratch_dir(tmp_path_factory, 'cp2') as tmp:
        yield state, save_training_checkpoint(state, tmp / 'epoch_12.pth')


def test_with_head_exports_backbone_and_aspp_unchanged(cp2_demo_checkpoint,
                                                       tmp_path):
    state, src = cp2_demo_checkpoint
    summary = convert_checkpoint(src, 'mmseg', str(tmp_path / 'seg.pth'),
                                 with_head=True)
    exported = torch.load(summary.path, weights_only=True)['state_dict']
    expected = {k: v for k, v in state.items()
                if k.startswith('backbone.')}
    expected.update({'decode_head.' + k[len('neck.'):]: v
                     for k, v in state.items() if k.startswith('neck.')})
    assert set(exported) == set(expected)
    for name, value in expected.items():
        assert torch.equal(exported[name], value), name
    # no momentum copy, projection or queue; conv_seg is not pretrained
    assert not any(k.startswith(('encoder_k', 'head', 'queue'))
                   or 'conv_seg' in k for k in exported)
    assert summary.num_head == len(mmseg_aspp_shapes(512, 256))
    assert verify_export(summary.path, 'mmseg') == 18
    # without the option: the backbone only
    plain = convert_checkpoint(src, 'mmseg', str(tmp_path / 'plain.pth'))
    keys = torch.load(plain.path, weights_only=True)['state_dict']
    assert all(k.startswith('backbone.') for k in keys)


def test_with_head_refusals(cp2_demo_checkpoint, tmp_path):
    state, src = cp2_demo_checkpoint
    with pytest.raises(ValueError, match='decode head'):
        convert_checkpoint(src, 'mmdet', str(tmp_path / 'x.pth'),
                           with_head=True)
    other = {k: v for k, v in state.items() if not k.startswith('neck.')}
    other['neck.mlp.0.weight'] = torch.zeros(2, 2)
    path = save_training_checkpoint(other, tmp_path / 'other.pth')
    with pytest.raises(ValueError, match='ASPPHead'):
        convert_checkpoint(path, 'mmseg', str(tmp_path / 'y.pth'),
                           with_head=True)
    aspp = {k[len('neck.'):]: v for k, v in state.items()
            if k.startswith('neck.')}
    aspp['bottleneck.conv.weight'] = aspp['bottleneck.conv.weight'][:, :-1]
    with pytest.raises(KeyMismatchError):
        verify_aspp(aspp, 'cut')


def test_convert_cli_with_head(cp2_demo_checkpoint, tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'convert_cli',
        osp.join(ROOT, 'tools', 'model_converters', 'convert.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    _, src = cp2_demo_checkpoint
    out = str(tmp_path / 'cli.pth')
    assert cli.main([src, '--to', 'mmseg', '--with-head', '-o', out]) == 0
    assert 'ASPP head' in capsys.readouterr().out
    assert cli.main([src, '--to', 'detectron2', '--with-head']) == 1


@pytest.mark.downstream
@NEEDS_MMSEG
def test_mmseg_deeplabv3_loads_every_exported_tensor(tmp_path):
    """mmseg's DeepLabV3 of the benchmark config (SyncBN -> BN on CPU)
    takes the R-50 export's backbone.* and decode_head.* unchanged."""
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS as SEG_MODELS
    from mmseg.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'cp2',
                                   'cp2_r50-d16_8xb32-coslr-200e_in1k.py'))
    cfg.model.queue_len = 256
    model = MODELS.build(cfg.model)
    with torch.no_grad():
        for offset, t in enumerate(model.state_dict(keep_vars=True).values(),
                                   start=1):
            if t.is_floating_point():
                t.add_(offset * 1e-3)
    src = save_training_checkpoint(model.state_dict(), tmp_path / 'cp2.pth')
    export = convert_checkpoint(src, 'mmseg', with_head=True).path
    exported = torch.load(export, weights_only=True)['state_dict']
    seg = Config.fromfile(BENCH, import_custom_modules=False).model
    for part in (seg.backbone, seg.decode_head):
        part.norm_cfg = dict(type='BN', requires_grad=True)
        part.init_cfg.checkpoint = export
    with DefaultScope.overwrite_default_scope('mmseg'):
        segmentor = SEG_MODELS.build(seg)
    segmentor.init_weights()
    target = segmentor.state_dict()
    assert set(exported) <= set(target)
    for name, value in exported.items():
        assert torch.equal(target[name], value), name
    # only conv_seg is left to mmseg's initialisation
    assert {k for k in target if k not in exported} == {
        'decode_head.conv_seg.weight', 'decode_head.conv_seg.bias'}
