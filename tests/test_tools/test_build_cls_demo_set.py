# Copyright (c) mmpixpro contributors. All rights reserved.
"""The classification demo builder on tiny synthetic cut-outs and
backgrounds (the dense builder's sources)."""
import json
import os.path as osp

import numpy as np
from PIL import Image
from pixpro_testing import load_tool

from mmpixpro.demo_data import Spec
from mmpixpro.evaluation import ClsDataset

bcs = load_tool('tools', 'dataset_converters', 'build_cls_demo_set.py')
OPTIONS = dict(seed=1, size=40, num_train=3, num_val=2, val_fraction=0.4,
               scale=[0.7, 1.0], apt=False)


def make_sources(tmp):
    """Two classes of four solid-colour cut-outs, six noise backgrounds."""
    cutouts, photos = [], []
    rng = np.random.default_rng(0)
    for i in range(8):
        rgba = np.zeros((30, 30, 4), np.uint8)
        rgba[..., :3] = rng.integers(0, 255, 3)
        rgba[5:25, 5:25, 3] = 255
        path = osp.join(tmp, f'cut{i}.png')
        Image.fromarray(rgba).save(path)
        cutouts.append(bcs.bds.Cutout(f'cut{i}', path, 1 + i % 2))
    for i in range(6):
        path = osp.join(tmp, f'bg{i}.jpg')
        Image.fromarray(rng.integers(0, 255, (50, 60, 3), np.uint8)).save(
            path)
        photos.append(Spec('test', f'bg{i}', path, 'test', origin=f'bg{i}'))
    return dict(classes=['background', 'ant', 'bee'], cutouts=cutouts,
                photos=photos, videos=[], mode='test')


def test_layout_splits_and_loaders(tmp_path):
    out = str(tmp_path / 'cls')
    manifest = bcs.build_cls_demo_set(out, make_sources(str(tmp_path)),
                                      OPTIONS)
    assert manifest['classes'] == ['ant', 'bee']
    assert not set(manifest['cutouts']['train']) & set(
        manifest['cutouts']['val'])
    assert not set(manifest['backgrounds']['train']) & set(
        manifest['backgrounds']['val'])
    with open(osp.join(out, 'MANIFEST.json')) as f:
        assert json.load(f)['options'] == OPTIONS
    assert bcs.is_up_to_date(out, OPTIONS)
    assert not bcs.is_up_to_date(out, dict(OPTIONS, seed=2))
    # ImageNet folders and mmpretrain ann_files describe the same images
    for split, count in (('train', 3), ('val', 2)):
        folders = ClsDataset(out, split, resize=None, crop=None)
        listed = ClsDataset(out, split, f'meta/{split}.txt', resize=None,
                            crop=None)
        assert folders.samples == listed.samples
        assert folders.labels == [0] * count + [1] * count
        assert listed.classes == ('ant', 'bee')
        assert folders[0][0].shape == (40, 40, 3)


def test_one_cutout_of_its_class_per_image(tmp_path):
    """Each image differs from its background only where one cut-out of
    the folder's class was pasted: the cut-outs are solid colours, so
    the image holds the colour of one cut-out of that class."""
    sources = make_sources(str(tmp_path))
    # cut-outs of 95-100 % of the side always cover the centre
    bcs.build_cls_demo_set(str(tmp_path / 'cls'), sources,
                           dict(OPTIONS, scale=[0.95, 1.0]))
    colours = {}
    for cut in sources['cutouts']:
        rgba = np.asarray(Image.open(cut.path))
        colours.setdefault(cut.label - 1, []).append(rgba[15, 15, :3])
    data = ClsDataset(str(tmp_path / 'cls'), 'train', resize=None,
                      crop=None)
    for index in range(len(data)):
        image, label = data[index]
        centre = image[20, 20].astype(int)  # inside the pasted cut-out
        nearest = min(((np.abs(centre - c).sum(), lab)
                       for lab, cols in colours.items() for c in cols))
        assert nearest[1] == label and nearest[0] < 30
