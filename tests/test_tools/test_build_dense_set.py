# Copyright (c) mmpixpro contributors. All rights reserved.
"""The composite builder on tiny synthetic cut-outs and backgrounds (the
pasting and the cut-outs are ``mmpixpro.demo_data``'s)."""
import hashlib
import os
import os.path as osp

import numpy as np
from PIL import Image
from pixpro_testing import load_tool

from mmpixpro.demo_data import Cutout, Spec, paste

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO, 'tools', 'dataset_converters', 'build_dense_set.py')
bds = load_tool('tools', 'dataset_converters', 'build_dense_set.py')


def test_paste_mask_is_alpha_of_top_cutout():
    image = np.zeros((6, 6, 3))
    label = np.zeros((6, 6), np.int64)
    first = np.zeros((4, 4, 4), np.uint8)
    first[..., 3] = [[255, 255, 0, 0]] * 4  # left half opaque
    first[..., 0] = 200
    second = np.zeros((2, 2, 4), np.uint8)
    second[..., 3] = [[127, 128], [128, 255]]
    paste(image, label, first, 1, 0, 0)
    paste(image, label, second, 2, 1, 1)  # overlaps, on top
    expected = np.zeros((6, 6), np.int64)
    expected[0:4, 0:2] = 1
    expected[1, 2] = expected[2, 1] = expected[2, 2] = 2
    assert (label == expected).all()
    assert image[0, 0, 0] == 200 and image[0, 3, 0] == 0
    # clipping outside the canvas
    paste(image, label, second, 3, 5, -1)
    assert label[0, 5] == 3 and label[0, 4] == expected[0, 4]


def make_sources(tmp):
    cutouts, photos = [], []
    rng = np.random.default_rng(0)
    for i in range(8):
        rgba = np.zeros((40, 40, 4), np.uint8)
        rgba[..., :3] = rng.integers(0, 255, 3)
        rgba[8:32, 8:32, 3] = 255
        path = osp.join(tmp, f'cut{i}.png')
        Image.fromarray(rgba).save(path)
        cutouts.append(Cutout(f'cut{i}', path, 1 + i % 2))
    for i in range(6):
        path = osp.join(tmp, f'bg{i}.jpg')
        Image.fromarray(rng.integers(0, 255, (80, 100, 3), np.uint8)).save(
            path)
        photos.append(Spec('test', f'bg{i}', path, 'test', origin=f'bg{i}'))
    return dict(classes=['background', 'a', 'b'], cutouts=cutouts,
                photos=photos, videos=[], mode='test')


OPTIONS = dict(seed=3, size=48, num_train=6, num_test=4, test_fraction=0.3,
               max_objects=2, num_sequences=0, sequence_length=4,
               frame_step=1)


def digest(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            with open(osp.join(root, name), 'rb') as f:
                out[osp.relpath(osp.join(root, name), folder)] = \
                    hashlib.sha1(f.read()).hexdigest()
    return out


def test_splits_disjoint_and_seed_repeatable(tmp_path):
    sources = make_sources(str(tmp_path))
    first = bds.build_dense_set(str(tmp_path / 'a'), sources, OPTIONS)
    bds.build_dense_set(str(tmp_path / 'b'), sources, OPTIONS)
    assert not set(first['cutouts']['train']) & set(first['cutouts']['test'])
    assert not (set(first['backgrounds']['train'])
                & set(first['backgrounds']['test']))
    assert {c.label for c in sources['cutouts'] if c.name in
            first['cutouts']['test']} == {1, 2}  # every class in test
    assert digest(tmp_path / 'a') == digest(tmp_path / 'b')
    other = bds.build_dense_set(str(tmp_path / 'c'), sources,
                                dict(OPTIONS, seed=4))
    assert digest(tmp_path / 'a') != digest(tmp_path / 'c')
    assert other['version'] == bds.VERSION
    assert bds.is_up_to_date(str(tmp_path / 'a'), OPTIONS)


def test_loader_reads_the_built_set(tmp_path):
    from mmpixpro.evaluation import DenseSegDataset
    bds.build_dense_set(str(tmp_path / 'a'), make_sources(str(tmp_path)),
                        OPTIONS)
    data = DenseSegDataset(str(tmp_path / 'a'), 'test')
    image, label = data[0]
    assert len(data) == 4 and data.num_classes == 3
    assert image.shape == (48, 48, 3) and label.shape == (48, 48)
    assert set(np.unique(label)) <= {0, 1, 2}


def test_instance_map_follows_paste_order():
    image = np.zeros((6, 6, 3))
    label = np.zeros((6, 6), np.int64)
    objects = np.zeros((6, 6), np.int64)
    square = np.full((3, 3, 4), 255, np.uint8)
    paste(image, label, square, 5, 0, 0, objects, 1)
    paste(image, label, square, 5, 2, 2, objects, 2)  # same class, on top
    expected = np.zeros((6, 6), np.int64)
    expected[0:3, 0:3] = 1
    expected[2:5, 2:5] = 2
    assert (objects == expected).all()
    assert (label == 5 * (expected > 0)).all()


def test_built_set_has_instance_maps_within_class_masks(tmp_path):
    bds.build_dense_set(str(tmp_path / 'a'), make_sources(str(tmp_path)),
                        OPTIONS)
    for name in ('train_0000', 'test_0001'):
        label = np.asarray(Image.open(
            tmp_path / 'a' / 'SegmentationClass' / f'{name}.png'))
        objects = np.asarray(Image.open(
            tmp_path / 'a' / 'SegmentationObject' / f'{name}.png'))
        assert ((objects > 0) == (label > 0)).all()
        # one class per instance
        for obj in np.unique(objects[objects > 0]):
            assert len(np.unique(label[objects == obj])) == 1
