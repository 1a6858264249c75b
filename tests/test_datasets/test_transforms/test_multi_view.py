# Copyright (c) mmpixpro contributors. All rights reserved.
"""N views in groups: order, sizes, boxes, constrained crops and their
counted fallbacks; TwoViewTransform as its two-group case."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import default_collate
from pixpro_testing import ROOT, random_image, write_image

from mmpixpro.datasets import seeded_global_rngs
from mmpixpro.datasets.transforms import (MultiViewTransform,
                                          TwoViewTransform)
from mmpixpro.registry import TRANSFORMS

DATASETS = osp.join(ROOT, 'configs', '_base_', 'datasets')


def view_pipeline(size, flip_prob=0.5, **crop):
    return [
        dict(type='RandomResizedCropWithBox', size=size, **crop),
        dict(type='RandomHorizontalFlipWithBox', prob=flip_prob),
        dict(type='RandomColorJitter', prob=0.8),
    ]


def test_groups_give_views_in_order():
    transform = MultiViewTransform(
        [view_pipeline(32, flip_prob=1.0),
         view_pipeline(16, flip_prob=0.0)],
        num_views=[2, 3])
    out = transform(dict(img=random_image(40, 50)))
    assert out['img_shape'] == [(32, 32)] * 2 + [(16, 16)] * 3
    assert [v.shape for v in out['img']] == [(32, 32, 3)] * 2 + [
        (16, 16, 3)] * 3
    boxes = out['crop_boxes']
    assert boxes.shape == (5, 4) and boxes.dtype == torch.float32
    # the flip of each view is in its box: x ends swapped in group 0 only
    assert (boxes[:2, 0] > boxes[:2, 2]).all()
    assert (boxes[2:, 0] < boxes[2:, 2]).all()
    assert out['crop_fallbacks'] == 0
    assert 'num_views=[2, 3]' in repr(transform)


def test_two_view_transform_is_the_two_group_case():
    p1, p2 = view_pipeline(16), view_pipeline(16, flip_prob=0.2)
    two = TwoViewTransform([p1, p2])
    multi = MultiViewTransform([p1, p2])
    by_hand = [Compose([TRANSFORMS.build(t) for t in p]) for p in (p1, p2)]
    img = random_image(30, 40)
    for seed in range(5):
        np.random.seed(seed)
        a = two(dict(img=img))
        np.random.seed(seed)
        b = multi(dict(img=img))
        # what TwoViewTransform did before: each pipeline in turn on a copy
        np.random.seed(seed)
        views = [p(dict(img=img)) for p in by_hand]
        for out in (a, b):
            assert torch.equal(
                out['crop_boxes'],
                torch.from_numpy(np.stack([v['crop_box'] for v in views])))
            for x, v in zip(out['img'], views):
                np.testing.assert_array_equal(x, v['img'])


def test_local_views_lie_inside_view_0():
    # min_share=1: a local crop that did not fall back is inside view 0,
    # so its box lies in view 0's box (both unflipped here)
    transform = MultiViewTransform(
        [view_pipeline(16, flip_prob=0.0, scale=(0.3, 0.5)),
         view_pipeline(8, flip_prob=0.0, scale=(0.01, 0.03), ref_view=0,
                       min_share=1.0)],
        num_views=[1, 6])
    img = random_image(60, 80)
    clean = 0
    for seed in range(20):
        np.random.seed(seed)
        out = transform(dict(img=img))
        if out['crop_fallbacks'] == 0:
            clean += 1
            ref, local = out['crop_boxes'][0], out['crop_boxes'][1:]
            assert (local[:, :2] >= ref[:2]).all()
            assert (local[:, 2:] <= ref[2:]).all()
    assert clean >= 10


def test_unmeetable_constraint_is_counted_per_view():
    # view 0: a 10 x 10 crop of 100 x 100; the 6 local crops are the whole
    # image (1 % inside view 0 < 10 %): all fall back to the centre crop
    transform = MultiViewTransform(
        [view_pipeline(8, scale=(0.01, 0.01), ratio=(1.0, 1.0)),
         view_pipeline(4, flip_prob=0.0, scale=(1.0, 1.0), ratio=(1.0, 1.0),
                       ref_view=0, min_share=0.1)],
        num_views=[1, 6])
    out = transform(dict(img=random_image(100, 100)))
    assert out['crop_fallbacks'] == 6
    assert torch.equal(out['crop_boxes'][1:],
                       torch.tensor([[0.0, 0.0, 1.0, 1.0]]).expand(6, 4))


def test_views_follow_seed_epoch_and_index():
    transform = MultiViewTransform([view_pipeline(16), view_pipeline(8)],
                                   num_views=[2, 6])
    img = random_image(30, 40)

    def views(*entropy):
        with seeded_global_rngs(*entropy):
            return transform(dict(img=img))

    first = views(7, 0, 3)
    again = views(7, 0, 3)
    other = views(7, 0, 4)
    assert torch.equal(first['crop_boxes'], again['crop_boxes'])
    for x, y in zip(first['img'], again['img']):
        np.testing.assert_array_equal(x, y)
    assert not torch.equal(first['crop_boxes'], other['crop_boxes'])


@pytest.mark.parametrize(
    'pipelines,num_views,match',
    [
        ([view_pipeline(8, ref_view=0)], [1], 'earlier group'),
        ([view_pipeline(8), view_pipeline(8, ref_view=1)], [1, 3],
         r'in \[0, 1\)'),
        ([view_pipeline(8)], [1, 2], 'one num_views entry'),
        ([view_pipeline(8)], [0], '>= 1'),
    ])
def test_bad_groups_are_refused_at_build(pipelines, num_views, match):
    with pytest.raises(ValueError, match=match):
        MultiViewTransform(pipelines, num_views=num_views)


def test_view_sizes_read_from_the_configs():
    multi = Config.fromfile(osp.join(DATASETS, 'imagenet_multicrop.py'))
    two = Config.fromfile(osp.join(DATASETS, 'imagenet_pixpro.py'))
    assert MultiViewTransform.view_sizes_of(multi.train_pipeline[1]) == [
        (224, 224)] * 2 + [(96, 96)] * 6
    assert TwoViewTransform.view_sizes_of(two.train_pipeline[1]) == [
        (224, 224)] * 2


def test_multicrop_config_packs_and_collates_eight_views(tmp_path):
    cfg = Config.fromfile(osp.join(DATASETS, 'imagenet_multicrop.py'))
    write_image(tmp_path / 'a.png', 60, 80)
    pipeline = Compose([TRANSFORMS.build(t) for t in cfg.train_pipeline])
    packed = pipeline(dict(img_path=str(tmp_path / 'a.png')))
    assert [tuple(v.shape) for v in packed['inputs']] == [
        (3, 224, 224)] * 2 + [(3, 96, 96)] * 6
    sample = packed['data_samples']
    assert sample.crop_boxes.shape == (8, 4)
    assert isinstance(sample.crop_fallbacks, int)
    # views of different sizes collate as they are: one batch per view
    batch = default_collate([packed, packed])
    assert [tuple(v.shape) for v in batch['inputs']] == [
        (2, 3, 224, 224)] * 2 + [(2, 3, 96, 96)] * 6
