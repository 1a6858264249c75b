# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch
from pixpro_testing import MMDET_MASK_RCNN_FPN, save_training_checkpoint

from mmpixpro.checkpoint import KeyMismatchError, load_d2_pkl, shapes_of
from mmpixpro.export import (check_fpn, convert_checkpoint, mmdet_fpn_shapes,
                             verify_export)

# mmdet FPN(in_channels=[256, 512, 1024, 2048], out_channels=256,
# num_outs=5): Mask R-CNN R50-FPN's neck, written out by hand in
# tests/pixpro_testing.py
MASK_RCNN_FPN = MMDET_MASK_RCNN_FPN
# RetinaNet-style P3-P7: start_level=1, add_extra_convs='on_input'
RETINA_FPN_EXTRA = {
    'fpn_convs.3.conv.weight': (256, 2048, 3, 3),
    'fpn_convs.3.conv.bias': (256, ),
    'fpn_convs.4.conv.weight': (256, 256, 3, 3),
    'fpn_convs.4.conv.bias': (256, ),
}


def fpn_checkpoint_state(model, fpn_shapes):
    """A training state_dict with an online FPN and its momentum copy."""
    state = dict(model.state_dict())
    for key, shape in fpn_shapes.items():
        state[f'fpn.{key}'] = torch.randn(shape)
        state[f'target_net.module.2.{key}'] = torch.randn(shape) + 5
    return state


def test_shape_table_equals_hand_written_lists():
    assert mmdet_fpn_shapes([256, 512, 1024, 2048], 256, 5) == MASK_RCNN_FPN
    retina = mmdet_fpn_shapes([256, 512, 1024, 2048], 256, 5,
                              start_level=1, add_extra_convs='on_input')
    assert set(retina) == {
        f'{kind}.{i}.conv.{p}' for kind in ('lateral_convs', 'fpn_convs')
        for i in range(3) for p in ('weight', 'bias')} | set(RETINA_FPN_EXTRA)
    assert retina['lateral_convs.0.conv.weight'] == (256, 512, 1, 1)
    for key, shape in RETINA_FPN_EXTRA.items():
        assert retina[key] == shape


@pytest.mark.parametrize('target', ['mmdet', 'mmseg'])
def test_fpn_exported_as_neck(pixpro_r50, tmp_path, target):
    state = fpn_checkpoint_state(pixpro_r50, MASK_RCNN_FPN)
    src = save_training_checkpoint(state, tmp_path / 'fpn.pth')
    out = convert_checkpoint(src, target, str(tmp_path / 'o.pth'),
                             with_fpn=True)
    assert out.num_fpn == 16 and out.num_backbone == 53 + 53 * 5
    exported = torch.load(out.path, weights_only=True)['state_dict']
    neck = {k[len('neck.'):]: v for k, v in exported.items()
            if k.startswith('neck.')}
    assert shapes_of(neck) == MASK_RCNN_FPN
    for key, value in neck.items():  # the online FPN, not its copy
        assert torch.equal(value, state[f'fpn.{key}'])
    check_fpn(neck, 'neck', in_channels=[256, 512, 1024, 2048],
              out_channels=256, num_outs=5)
    assert not any('target_net' in k or k.startswith('fpn.')
                   for k in exported)
    assert verify_export(out.path, target) == 50


def test_fpn_to_detectron2_names(pixpro_r50, tmp_path):
    state = fpn_checkpoint_state(pixpro_r50, MASK_RCNN_FPN)
    src = save_training_checkpoint(state, tmp_path / 'fpn.pth')
    out = convert_checkpoint(src, 'detectron2', str(tmp_path / 'o.pkl'),
                             with_fpn=True)
    model = load_d2_pkl(out.path)['model']
    fpn = {k for k in model if k.startswith('fpn_')}
    assert fpn == {f'fpn_{kind}{lvl}.{p}' for kind in ('lateral', 'output')
                   for lvl in (2, 3, 4, 5) for p in ('weight', 'bias')}
    assert torch.equal(model['fpn_lateral4.weight'],
                       state['fpn.lateral_convs.2.conv.weight'])
    assert verify_export(out.path, 'detectron2') == 50


def test_fpn_shape_mismatch_is_reported():
    neck = {k: torch.zeros(s) for k, s in MASK_RCNN_FPN.items()}
    neck['lateral_convs.3.conv.weight'] = torch.zeros(256, 1024, 1, 1)
    with pytest.raises(KeyMismatchError, match='lateral_convs.3.conv.weight'):
        check_fpn(neck, 'neck', in_channels=[256, 512, 1024, 2048],
                  out_channels=256, num_outs=5)


def test_with_fpn_refused_without_fpn_keys(pixpro_r18, tmp_path):
    src = save_training_checkpoint(pixpro_r18.state_dict(), tmp_path / 'c.pth')
    with pytest.raises(ValueError, match=r'no "fpn\.\*" key'):
        convert_checkpoint(src, 'mmdet', str(tmp_path / 'o.pth'),
                           with_fpn=True)


@pytest.mark.parametrize('target', ['torchvision', 'mmpretrain'])
def test_with_fpn_refused_for_targets_without_fpn(pixpro_r50, tmp_path,
                                                  target):
    state = fpn_checkpoint_state(pixpro_r50, MASK_RCNN_FPN)
    src = save_training_checkpoint(state, tmp_path / 'fpn.pth')
    with pytest.raises(ValueError, match=f'{target} has no FPN'):
        convert_checkpoint(src, target, str(tmp_path / 'o.pth'),
                           with_fpn=True)


def test_detectron2_refuses_extra_convs(pixpro_r50, tmp_path):
    shapes = mmdet_fpn_shapes([256, 512, 1024, 2048], 256, 5, start_level=1,
                              add_extra_convs='on_input')
    src = save_training_checkpoint(fpn_checkpoint_state(pixpro_r50, shapes),
                                   tmp_path / 'fpn.pth')
    with pytest.raises(ValueError, match='fpn.fpn_convs.3'):
        convert_checkpoint(src, 'detectron2', str(tmp_path / 'o.pkl'),
                           with_fpn=True)
    out = convert_checkpoint(src, 'mmdet', str(tmp_path / 'o.pth'),
                             with_fpn=True)
    assert 'start_level=1' in str(out)


def test_pretraining_fpn_has_mmdet_names():
    """The FPN the variant pretrains is exactly Mask R-CNN's neck."""
    from mmpixpro.registry import MODELS
    if MODELS.get('FPN') is None:
        pytest.skip('no FPN registered in mmpixpro')
    fpn = MODELS.build(
        dict(type='FPN', in_channels=[256, 512, 1024, 2048],
             out_channels=256, num_outs=5))
    assert shapes_of(fpn.state_dict()) == MASK_RCNN_FPN
