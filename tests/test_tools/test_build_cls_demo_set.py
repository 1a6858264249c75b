# Copyright (c) mmpixpro contributors. All rights reserved.
"""The classification demo builder on the dense builder's tiny synthetic
cut-outs (two classes of four solid squares) and noise backgrounds."""
import json
import os.path as osp

import numpy as np
from PIL import Image
from pixpro_testing import load_tool
# the dense builder's test sources: cut-outs of classes 'a' and 'b'
from test_build_dense_set import make_sources

from mmpixpro.evaluation import ClsDataset

bcs = load_tool('tools', 'dataset_converters', 'build_cls_demo_set.py')
OPTIONS = dict(seed=1, size=40, num_train=3, num_val=2, val_fraction=0.4,
               scale=[0.7, 1.0], apt=False)


def test_layout_splits_and_loaders(tmp_path):
    out = str(tmp_path / 'cls')
    manifest = bcs.build_cls_demo_set(out, make_sources(str(tmp_path)),
                                      OPTIONS)
    assert manifest['classes'] == ['a', 'b']
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
        assert listed.classes == ('a', 'b')
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
        colours.setdefault(cut.label - 1, []).append(rgba[20, 20, :3])
    data = ClsDataset(str(tmp_path / 'cls'), 'train', resize=None,
                      crop=None)
    for index in range(len(data)):
        image, label = data[index]
        centre = image[20, 20].astype(int)  # inside the pasted cut-out
        nearest = min(((np.abs(centre - c).sum(), lab)
                       for lab, cols in colours.items() for c in cols))
        assert nearest[1] == label and nearest[0] < 30
