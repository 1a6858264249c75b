# Copyright (c) mmpixpro contributors. All rights reserved.
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmpixpro.export import check_d2_config, check_mm_config, default_output
from mmpixpro.export.finetune_config import iter_pretrained, load_d2_yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BENCH = osp.join(REPO, 'configs', 'benchmarks')
MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
MM_CONFIGS = sorted(
    glob.glob(osp.join(BENCH, 'mmdetection', '*_r50-*.py')) +
    glob.glob(osp.join(BENCH, 'mmsegmentation', '*_r50-*.py')))
# the ViT / Swin / ConvNeXt configs: tests/test_export/
# test_transformer_exports.py and test_downstream/test_transformer_benchmarks
D2_CONFIGS = sorted(glob.glob(osp.join(BENCH, 'detectron2', '*_pixpro*.yaml')))


def test_every_protocol_is_there():
    names = {osp.basename(p) for p in MM_CONFIGS + D2_CONFIGS}
    assert names == {
        'faster-rcnn_r50-c4_pixpro-pre_8xb2-24k_voc0712.py',
        'mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py',
        'mask-rcnn_r50-fpn_pixpro-fpn-pre_8xb2-1x_coco.py',
        'mask-rcnn_r50-c4_pixpro-pre_8xb2-1x_coco.py',
        'fcn_r50-d8_pixpro-pre_8xb2-40k_cityscapes-769x769.py',
        'fcn_r50-d8_pixpro-pre_4xb4-20k_voc12aug-512x512.py',
        'deeplabv3_r50-d16_cp2-pre_4xb4-40k_voc12aug-512x512.py',
        'pascal_voc_R_50_C4_24k_pixpro.yaml',
        'coco_R_50_C4_1x_pixpro.yaml',
        'coco_R_50_FPN_1x_pixpro.yaml',
        'coco_R_50_FPN_1x_pixpro-fpn.yaml',
    }
    for folder in ('mmdetection', 'mmsegmentation', 'detectron2'):
        assert osp.isfile(osp.join(BENCH, folder, 'README.md'))


@pytest.mark.parametrize('path', MM_CONFIGS, ids=osp.basename)
def test_mm_config_matches_export(path):
    cfg = Config.fromfile(path, import_custom_modules=False)
    scope = 'mmdet' if 'mmdetection' in path else 'mmseg'
    assert cfg.default_scope == scope
    backbone = cfg.model.backbone
    assert backbone.type == 'ResNet' and not backbone.get('deep_stem')
    assert backbone.depth == 50 and backbone.style == 'pytorch'
    assert backbone.norm_cfg.type == 'SyncBN'
    assert backbone.norm_eval is False and backbone.frozen_stages == -1
    pre = cfg.model.data_preprocessor
    assert pre.mean == MEAN and pre.std == STD and pre.bgr_to_rgb is True
    prefixes = sorted(
        init['prefix'] for _, init in iter_pretrained(cfg.model))
    if 'c4' in path:  # res5 sits in the RoI head and is loaded too
        assert cfg.model.roi_head.shared_head.norm_eval is False
        assert prefixes == ['backbone.', 'backbone.']
    elif 'fpn-pre' in path:
        assert prefixes == ['backbone.', 'neck.']
        assert cfg.model.neck.norm_cfg is None
    elif 'cp2-pre' in path:  # the pretrained ASPP head is kept
        assert prefixes == ['backbone.', 'decode_head.']
        assert cfg.model.decode_head.type == 'ASPPHead'
    else:
        assert prefixes == ['backbone.']
    check_mm_config(cfg, depth=50)


def test_iteration_budgets():
    voc = Config.fromfile(
        osp.join(BENCH, 'mmdetection',
                 'faster-rcnn_r50-c4_pixpro-pre_8xb2-24k_voc0712.py'),
        import_custom_modules=False)
    assert voc.train_cfg.max_iters == 24000
    assert voc.model.roi_head.bbox_head.num_classes == 20
    city = Config.fromfile(osp.join(
        BENCH, 'mmsegmentation',
        'fcn_r50-d8_pixpro-pre_8xb2-40k_cityscapes-769x769.py'))
    assert city.model.data_preprocessor.size == (769, 769)
    assert city.train_cfg.max_iters == 40000


def test_config_checker_catches_traps():
    path = osp.join(BENCH, 'mmsegmentation',
                    'fcn_r50-d8_pixpro-pre_8xb2-40k_cityscapes-769x769.py')
    cfg = Config.fromfile(path, import_custom_modules=False)
    cfg.model.backbone.type = 'ResNetV1c'
    cfg.model.data_preprocessor.bgr_to_rgb = False
    cfg.model.backbone.frozen_stages = 1
    with pytest.raises(ValueError) as err:
        check_mm_config(cfg, depth=50)
    for word in ('ResNetV1c', 'bgr_to_rgb', 'frozen_stages'):
        assert word in str(err.value)
    with pytest.raises(ValueError, match='ResNet-18'):
        check_mm_config(
            Config.fromfile(path, import_custom_modules=False), depth=18)


@pytest.mark.parametrize('path', D2_CONFIGS, ids=osp.basename)
def test_detectron2_yaml_matches_export(path):
    cfg = load_d2_yaml(path)
    assert cfg['MODEL']['PIXEL_MEAN'] == MEAN
    assert cfg['MODEL']['PIXEL_STD'] == STD
    assert cfg['INPUT']['FORMAT'] == 'RGB'
    assert cfg['MODEL']['RESNETS']['STRIDE_IN_1X1'] is False
    assert cfg['MODEL']['RESNETS']['NORM'] == 'SyncBN'
    assert cfg['MODEL']['BACKBONE']['FREEZE_AT'] == 0
    if path.endswith('pixpro-fpn.yaml'):
        assert cfg['MODEL']['FPN']['NORM'] == ''
    check_d2_config(cfg, depth=50)
    with pytest.raises(ValueError, match='STRIDE_IN_1X1'):
        cfg['MODEL']['RESNETS']['STRIDE_IN_1X1'] = True
        check_d2_config(cfg, depth=50)


@pytest.mark.parametrize('path', MM_CONFIGS, ids=osp.basename)
def test_default_pretrained_is_what_convert_writes(path):
    """Train with tools/train.py, convert with defaults, fine-tune: the
    config finds the file without any path given."""
    fpn, head = 'fpn-pre' in path, 'cp2-pre' in path
    pretrain = 'pixpro-fpn_r50_8xb128' if fpn else 'pixpro_r50_8xb128'
    folder = 'pixpro'
    if head:
        folder, pretrain = 'cp2', 'cp2_r50-d16_8xb32-coslr-200e_in1k'
    epochs = Config.fromfile(
        osp.join(REPO, 'configs', folder,
                 f'{pretrain}.py')).train_cfg.max_epochs
    target = 'mmseg' if 'mmsegmentation' in path else 'mmdet'
    expected = default_output(
        osp.join('work_dirs', pretrain, f'epoch_{epochs}.pth'), target, fpn,
        head)
    cfg = Config.fromfile(path, import_custom_modules=False)
    assert {init['checkpoint'] for _, init in iter_pretrained(cfg.model)
            } == {expected}


def test_setup_cfg_torch_bound_has_the_apis_we_use():
    """safe_globals (torch 2.5) is used by every checkpoint load; the bound
    is the oldest torch the suite ran on."""
    import configparser

    from packaging.requirements import Requirement
    from packaging.version import Version
    cfg = configparser.ConfigParser()
    cfg.read(osp.join(REPO, 'setup.cfg'))
    reqs = {Requirement(line).name: Requirement(line) for line in
            cfg['options']['install_requires'].strip().splitlines()}
    lowest = min(Version(s.version) for s in reqs['torch'].specifier
                 if s.operator == '>=')
    assert lowest >= Version('2.5')
    import torch
    assert Version(torch.__version__.split('+')[0]) >= lowest
