# Copyright (c) mmpixpro contributors. All rights reserved.
"""to_demo_scale on the real benchmark configs (no mmdet/mmseg needed)."""
import json
import os.path as osp

import pytest
from downstream_helpers import REPO
from mmengine.config import Config

from mmpixpro.downstream.demo_scale import reference_side, to_demo_scale

BENCH = osp.join(REPO, 'configs', 'benchmarks')
CITY = osp.join(BENCH, 'mmsegmentation',
                'fcn_r50-d8_pixpro-pre_8xb2-40k_cityscapes-769x769.py')
VOC = osp.join(BENCH, 'mmdetection',
               'faster-rcnn_r50-c4_pixpro-pre_8xb2-24k_voc0712.py')
COCO = osp.join(BENCH, 'mmdetection',
                'mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py')


def load(path):
    return Config.fromfile(path, import_custom_modules=False)


@pytest.fixture
def classes_root(tmp_path):
    (tmp_path / 'classes.json').write_text(
        json.dumps(dict(classes=['background', 'bird', 'coin', 'tree'])))
    return str(tmp_path)


def test_cityscapes_scaled_by_one_factor(classes_root):
    cfg = load(CITY)
    assert reference_side(cfg) == 1025
    to_demo_scale(cfg, classes_root, side=256, iters=3)
    # factor 256 / 1025
    assert cfg.crop_size == (192, 192)
    assert cfg.model.data_preprocessor.size == (192, 192)
    assert cfg.model.test_cfg.crop_size == (192, 192)
    assert cfg.model.test_cfg.stride == (128, 128)
    train = cfg.train_dataloader.dataset.pipeline
    assert train[2]['scale'] == (512, 256)
    assert train[3]['crop_size'] == (192, 192)
    assert cfg.train_dataloader.dataset.data_root == osp.join(
        classes_root, 'cityscapes/')
    assert cfg.model.decode_head.num_classes == 19  # segmentation: kept


def test_detection_scales_classes_schedule(classes_root):
    cfg = load(VOC)
    assert reference_side(cfg) == 800
    to_demo_scale(cfg, classes_root, side=160, iters=8, batch_size=4)
    # factor 0.2: (1333, 480) -> (267, 96), test (1333, 800) -> (267, 160)
    datasets = cfg.train_dataloader.dataset.datasets
    resize = datasets[0].pipeline[3]
    assert resize['type'] == 'RandomChoiceResize'
    assert resize['scales'][0] == (267, 96)
    assert resize['scales'][-1] == (267, 160)
    assert cfg.test_dataloader.dataset.pipeline[1]['scale'] == (267, 160)
    # anchors and RoI sizes are not image sizes
    assert cfg.model.rpn_head.anchor_generator.scales == [2, 4, 8, 16, 32]
    assert cfg.model.roi_head.shared_head.stride == 2
    assert all(d.metainfo['classes'] == ('bird', 'coin', 'tree')
               for d in datasets)
    assert cfg.model.roi_head.bbox_head.num_classes == 3
    assert cfg.train_cfg == dict(type='IterBasedTrainLoop', max_iters=8,
                                 val_interval=8)
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(0.02 * 4 / 16)
    assert cfg.param_scheduler[1]['milestones'] == [6]
    hook = cfg.custom_hooks[0]
    assert hook['type'] == 'DetPreciseBNHook' and hook['interval'] == 8
    assert datasets[0].data_root == osp.join(classes_root, 'VOCdevkit/')


def test_coco_annotation_file_of_the_evaluator_moves_too(classes_root):
    cfg = to_demo_scale(load(COCO), classes_root)
    assert cfg.val_evaluator.ann_file == osp.join(
        classes_root, 'coco/annotations/instances_val2017.json')
    assert cfg.model.roi_head.mask_head.num_classes == 3
