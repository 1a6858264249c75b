# Copyright (c) mmpixpro contributors. All rights reserved.
"""The generated downstream sets: hand cases and a built set."""
import importlib.util
import json
import os.path as osp
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from downstream_helpers import CONVERTERS, run_tool
from PIL import Image

SCRIPT = osp.join(CONVERTERS, 'build_downstream_sets.py')
spec = importlib.util.spec_from_file_location('build_downstream_sets',
                                              SCRIPT)
bds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bds)


def decode(counts, shape):
    """Uncompressed COCO RLE -> mask (column-major, zeros first)."""
    flat = np.repeat(np.arange(len(counts)) % 2, counts).astype(bool)
    return flat.reshape(shape[::-1]).T


def test_rle_hand_cases():
    mask = np.array([[0, 1], [1, 1], [0, 0]], bool)
    # columns: (0, 1, 0), (1, 1, 0)
    assert bds.rle_counts(mask) == [1, 1, 1, 2, 1]
    assert bds.rle_counts(np.array([[1, 0], [0, 0]], bool)) == [0, 1, 3]
    assert (decode([1, 1, 1, 2, 1], (3, 2)) == mask).all()


def test_instances_boxes_and_fragments():
    label = np.zeros((10, 12), np.uint8)
    objects = np.zeros((10, 12), np.uint8)
    label[2:5, 3:9] = 2
    objects[2:5, 3:9] = 1          # 18 pixels
    label[8, 0:3] = 1
    objects[8, 0:3] = 2            # 3 pixels: a fragment, dropped
    found = bds.instances(label, objects)
    assert len(found) == 1
    assert found[0]['class_id'] == 2 and found[0]['box'] == (3, 2, 8, 4)
    assert found[0]['mask'].sum() == 18


def test_voc_xml_is_one_based_with_difficult_rule():
    objs = [dict(class_id=1, box=(0, 0, 14, 30)),   # 15 px wide: difficult
            dict(class_id=2, box=(10, 5, 25, 20))]  # 16 x 16
    root = bds.voc_xml('a', (40, 50), objs, ['background', 'bird',
                                               'coin']).getroot()
    first, second = root.findall('object')
    assert first.find('name').text == 'bird'
    assert first.find('difficult').text == '1'
    assert second.find('difficult').text == '0'
    box = [int(second.find(f'bndbox/{k}').text)
           for k in ('xmin', 'ymin', 'xmax', 'ymax')]
    assert box == [11, 6, 26, 21]
    assert root.find('size/width').text == '50'


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('sets')
    result = run_tool(osp.join(CONVERTERS, 'build_dense_set.py'), '--out',
                      tmp / 'dense', '--no-apt', '--num-train', 6,
                      '--num-test', 3, '--num-sequences', 0, '--size', 64)
    assert result.returncode == 0, result.stderr
    result = run_tool(SCRIPT, '--dense', tmp / 'dense', '--out',
                      tmp / 'out')
    assert result.returncode == 0, result.stderr
    return tmp / 'dense', tmp / 'out'


def read_ids(path):
    return path.read_text().split()


def test_splits_cover_the_dense_set(built):
    dense, out = built
    train = read_ids(dense / 'ImageSets' / 'Segmentation' / 'train.txt')
    test = read_ids(dense / 'ImageSets' / 'Segmentation' / 'test.txt')
    voc = out / 'VOCdevkit'
    assert read_ids(voc / 'VOC2007' / 'ImageSets' / 'Main' /
                    'trainval.txt') == train[:3]
    assert read_ids(voc / 'VOC2012' / 'ImageSets' / 'Main' /
                    'trainval.txt') == train[3:]
    assert read_ids(voc / 'VOC2007' / 'ImageSets' / 'Main' /
                    'test.txt') == test
    seg = voc / 'VOC2012' / 'ImageSets' / 'Segmentation'
    assert read_ids(seg / 'aug.txt') == train[3:]
    assert read_ids(seg / 'val.txt') == test
    city = sorted(p.name for p in (out / 'cityscapes' / 'gtFine' / 'val' /
                                   'demo').iterdir())
    assert city == [f'demo_{i}_gtFine_labelTrainIds.png' for i in test]


def test_coco_masks_and_voc_boxes_are_exact(built):
    dense, out = built
    with open(out / 'coco' / 'annotations' / 'instances_val2017.json') as f:
        coco = json.load(f)
    for image in coco['images']:
        name = image['file_name'][:-4]
        objects = np.asarray(Image.open(dense / 'SegmentationObject' /
                                        f'{name}.png'))
        label = np.asarray(Image.open(dense / 'SegmentationClass' /
                                      f'{name}.png'))
        anns = [a for a in coco['annotations']
                if a['image_id'] == image['id']]
        xml = ET.parse(out / 'VOCdevkit' / 'VOC2007' / 'Annotations' /
                       f'{name}.xml').getroot()
        assert len(xml.findall('object')) == len(anns) > 0
        for ann, node in zip(anns, xml.findall('object')):
            mask = decode(ann['segmentation']['counts'], objects.shape)
            ids = np.unique(objects[mask])
            assert len(ids) == 1 and (mask == (objects == ids[0])).all()
            assert ann['area'] == mask.sum()
            assert np.unique(label[mask]).tolist() == [ann['category_id']]
            rows, cols = np.nonzero(mask)
            x, y, w, h = ann['bbox']
            assert (x, y, x + w - 1, y + h - 1) == (
                cols.min(), rows.min(), cols.max(), rows.max())
            assert int(node.find('bndbox/xmin').text) == x + 1
            assert int(node.find('bndbox/ymax').text) == y + h


def test_missing_instance_maps_say_rebuild(tmp_path, built):
    dense, _ = built
    import shutil
    copy = tmp_path / 'dense'
    shutil.copytree(dense, copy)
    shutil.rmtree(copy / 'SegmentationObject')
    result = run_tool(SCRIPT, '--dense', copy, '--out', tmp_path / 'o')
    assert result.returncode == 1
    assert 'build_dense_set.py --force' in result.stderr
