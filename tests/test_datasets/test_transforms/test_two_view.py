# Copyright (c) mmpixpro contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import default_collate
from pixpro_testing import ROOT, write_image

from mmpixpro.registry import TRANSFORMS

CONFIG = osp.join(ROOT, 'configs', '_base_', 'datasets',
                  'imagenet_pixpro.py')


def build_pipeline(cfg_list):
    return Compose([TRANSFORMS.build(t) for t in cfg_list])


def test_config_pipeline_packs_two_views(tmp_path):
    cfg = Config.fromfile(CONFIG)
    write_image(tmp_path / 'a.png', 60, 80)
    packed = build_pipeline(cfg.train_pipeline)(
        dict(img_path=str(tmp_path / 'a.png')))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert isinstance(inputs, list) and len(inputs) == 2
    for view in inputs:
        assert view.shape == (3, 224, 224) and view.dtype == torch.uint8
    assert sample.crop_boxes.shape == (2, 4)
    assert sample.crop_boxes.dtype == torch.float32
    assert sample.img_path == str(tmp_path / 'a.png')
    assert torch.all(sample.crop_boxes >= 0) and torch.all(
        sample.crop_boxes <= 1)

    batch = default_collate([packed, packed])
    assert [v.shape for v in batch['inputs']] == [(2, 3, 224, 224)] * 2
    assert len(batch['data_samples']) == 2


def view_pipeline(flip_prob):
    return [
        dict(type='RandomResizedCropWithBox', size=16),
        dict(type='RandomHorizontalFlipWithBox', prob=flip_prob),
    ]


def test_views_are_in_pipeline_order():
    transform = TRANSFORMS.build(
        dict(
            type='TwoViewTransform',
            view_pipelines=[view_pipeline(1.0),
                            view_pipeline(0.0)]))
    img = np.zeros((30, 40, 3), np.uint8)
    out = transform(dict(img=img))
    boxes = out['crop_boxes']
    assert boxes[0, 0] > boxes[0, 2]  # view 1 flipped: negative width
    assert boxes[1, 0] < boxes[1, 2]
    assert out['img_shape'] == [(16, 16), (16, 16)]
    assert [v.shape for v in out['img']] == [(16, 16, 3)] * 2
    assert 'TwoViewTransform(view_pipelines=[' in repr(transform)


def test_view_without_crop_box_is_an_error():
    transform = TRANSFORMS.build(
        dict(
            type='TwoViewTransform',
            view_pipelines=[[dict(type='RandomRGBGrayscale')]] * 2))
    with pytest.raises(KeyError, match='crop_box'):
        transform(dict(img=np.zeros((4, 4, 3), np.uint8)))


def test_needs_two_pipelines():
    with pytest.raises(ValueError, match='2 view'):
        TRANSFORMS.build(
            dict(type='TwoViewTransform', view_pipelines=[view_pipeline(0)]))
