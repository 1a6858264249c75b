# Copyright (c) mmpixpro contributors. All rights reserved.
"""Write the dense set in the layouts the downstream benchmark configs read.

Input: a dense set of ``build_dense_set.py`` (real cut-outs on real
photographs, exact class and instance maps). Output, under ``--out``::

    VOCdevkit/VOC2007/  JPEGImages Annotations (VOC XML)
                        ImageSets/Main/{trainval,test}.txt
    VOCdevkit/VOC2012/  JPEGImages Annotations ImageSets/Main/trainval.txt
                        SegmentationClass SegmentationClassAug
                        ImageSets/Segmentation/{train,aug,val}.txt
    coco/               {train2017,val2017}/*.jpg
                        annotations/instances_{train,val}2017.json
    cityscapes/         leftImg8bit/{train,val}/demo/*_leftImg8bit.png
                        gtFine/{train,val}/demo/*_gtFine_labelTrainIds.png
    classes.json        the dense set's classes (id 0 = background)

Splits: the dense ``train`` images are divided in two halves (VOC2007 /
VOC2012 trainval for detection; ``train`` / ``aug`` for VOC12aug
segmentation), the dense ``test`` images are the test/val split everywhere.

Instances: each visible pasted cut-out with at least
:data:`MIN_INSTANCE_PIXELS` pixels. Boxes are the exact extent of its
visible pixels, masks are exact (COCO: uncompressed RLE). A VOC object is
marked ``difficult`` when the short side of its box is under
:data:`DIFFICULT_SIDE` pixels (a heavily clipped or covered cut-out).
Class ids of the segmentation labels are the dense set's (0 background,
1..K objects); the detection sets name the K object classes.

Example::

    python tools/dataset_converters/build_downstream_sets.py \\
        --dense data/dense --out data/downstream
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
from typing import Dict, List, Optional, Sequence
from xml.etree import ElementTree as ET

import numpy as np
from PIL import Image

MIN_INSTANCE_PIXELS = 16
DIFFICULT_SIDE = 16
CITY = 'demo'


def read_split(dense: str, split: str) -> List[str]:
    """Image ids of a dense-set split.

    Args:
        dense (str): Dense set root.
        split (str): ``'train'`` or ``'test'``.

    Returns:
        list[str]: Ids in file order.
    """
    path = osp.join(dense, 'ImageSets', 'Segmentation', f'{split}.txt')
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def instances(label: np.ndarray, objects: np.ndarray) -> List[Dict]:
    """The visible instances of one image, in paste order.

    Args:
        label (np.ndarray): (H, W) class ids (0 background).
        objects (np.ndarray): (H, W) instance ids (0 none).

    Returns:
        list[dict]: ``class_id``, ``mask`` (bool, H x W), ``box`` (x0, y0,
        x1, y1) of pixel indices, inclusive.
    """
    found = []
    for obj in np.unique(objects[objects > 0]):
        mask = objects == obj
        if mask.sum() < MIN_INSTANCE_PIXELS:
            continue
        classes = np.unique(label[mask])
        if len(classes) != 1 or classes[0] == 0:
            raise ValueError(f'instance {obj} spans classes {classes}')
        rows, cols = np.nonzero(mask)
        found.append(dict(class_id=int(classes[0]), mask=mask,
                          box=(int(cols.min()), int(rows.min()),
                               int(cols.max()), int(rows.max()))))
    return found


def voc_xml(name: str, shape: Sequence[int], objs: Sequence[Dict],
            classes: Sequence[str]) -> ET.ElementTree:
    """A Pascal VOC annotation (1-based inclusive pixel boxes).

    Args:
        name (str): Image id.
        shape (Sequence[int]): (H, W).
        objs (Sequence[dict]): From :func:`instances`.
        classes (Sequence[str]): Class names by id.

    Returns:
        ElementTree: The ``<annotation>`` tree.
    """
    root = ET.Element('annotation')
    ET.SubElement(root, 'filename').text = f'{name}.jpg'
    size = ET.SubElement(root, 'size')
    for key, value in (('width', shape[1]), ('height', shape[0]),
                       ('depth', 3)):
        ET.SubElement(size, key).text = str(value)
    for obj in objs:
        x0, y0, x1, y1 = obj['box']
        node = ET.SubElement(root, 'object')
        ET.SubElement(node, 'name').text = classes[obj['class_id']]
        ET.SubElement(node, 'pose').text = 'Unspecified'
        ET.SubElement(node, 'truncated').text = '0'
        difficult = min(x1 - x0, y1 - y0) + 1 < DIFFICULT_SIDE
        ET.SubElement(node, 'difficult').text = str(int(difficult))
        box = ET.SubElement(node, 'bndbox')
        for key, value in (('xmin', x0), ('ymin', y0), ('xmax', x1),
                           ('ymax', y1)):
            ET.SubElement(box, key).text = str(value + 1)
    return ET.ElementTree(root)


def rle_counts(mask: np.ndarray) -> List[int]:
    """COCO uncompressed RLE of a mask (column-major, zeros first).

    Args:
        mask (np.ndarray): (H, W) bool.

    Returns:
        list[int]: Run lengths, alternating 0-runs and 1-runs.
    """
    flat = mask.flatten(order='F').astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    return counts if flat[0] == 0 else [0] + counts


def coco_annotations(objs: Sequence[Dict], image_id: int,
                     first_id: int) -> List[Dict]:
    """COCO instance annotations of one image.

    Args:
        objs (Sequence[dict]): From :func:`instances`.
        image_id (int): COCO image id.
        first_id (int): Id of the first annotation.

    Returns:
        list[dict]: ``bbox`` as ``[x, y, w, h]`` covering the mask pixels
        exactly, ``area`` = mask pixels, ``segmentation`` uncompressed RLE.
    """
    anns = []
    for k, obj in enumerate(objs):
        x0, y0, x1, y1 = obj['box']
        mask = obj['mask']
        anns.append(dict(
            id=first_id + k, image_id=image_id,
            category_id=obj['class_id'],
            bbox=[x0, y0, x1 - x0 + 1, y1 - y0 + 1],
            area=int(mask.sum()), iscrowd=0,
            segmentation=dict(counts=rle_counts(mask),
                              size=list(mask.shape))))
    return anns


def link(src: str, dst: str) -> None:
    """Hard-link ``src`` to ``dst`` (copy across file systems); a ``dst``
    already there (VOC2012 holds detection and segmentation) is kept."""
    if osp.exists(dst):
        return
    os.makedirs(osp.dirname(dst), exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def write_ids(path: str, ids: Sequence[str]) -> None:
    """One id per line."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(f'{i}\n' for i in ids))


class DenseSource:
    """Images, labels and instances of a dense set, read once per id.

    Args:
        root (str): Dense set root.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        with open(osp.join(root, 'classes.json')) as f:
            self.classes = json.load(f)['classes']

    def image(self, name: str) -> str:
        """Path of the JPEG."""
        return osp.join(self.root, 'JPEGImages', f'{name}.jpg')

    def label_path(self, name: str) -> str:
        """Path of the class-id PNG."""
        return osp.join(self.root, 'SegmentationClass', f'{name}.png')

    def read(self, name: str):
        """Class map and instances of one image."""
        label = np.asarray(Image.open(self.label_path(name)))
        path = osp.join(self.root, 'SegmentationObject', f'{name}.png')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path}: the dense set has no instance maps; rebuild it '
                'with tools/dataset_converters/build_dense_set.py --force')
        objects = np.asarray(Image.open(path))
        return label, instances(label, objects)


def write_voc_detection(src: DenseSource, out: str, splits: Dict) -> None:
    """VOC2007 (trainval = first half, test) and VOC2012 (second half)."""
    years = (('VOC2007', 'trainval', splits['train_a']),
             ('VOC2007', 'test', splits['test']),
             ('VOC2012', 'trainval', splits['train_b']))
    for year, split, ids in years:
        root = osp.join(out, 'VOCdevkit', year)
        for name in ids:
            label, objs = src.read(name)
            link(src.image(name), osp.join(root, 'JPEGImages', f'{name}.jpg'))
            xml = osp.join(root, 'Annotations', f'{name}.xml')
            os.makedirs(osp.dirname(xml), exist_ok=True)
            voc_xml(name, label.shape, objs, src.classes).write(xml)
        write_ids(osp.join(root, 'ImageSets', 'Main', f'{split}.txt'), ids)


def write_voc_segmentation(src: DenseSource, out: str,
                           splits: Dict) -> None:
    """VOC2012 train/aug/val lists with class-id PNGs."""
    root = osp.join(out, 'VOCdevkit', 'VOC2012')
    for split, ids in (('train', splits['train_a']),
                       ('aug', splits['train_b']), ('val', splits['test'])):
        for name in ids:
            link(src.image(name), osp.join(root, 'JPEGImages', f'{name}.jpg'))
            folder = 'SegmentationClassAug' if split == 'aug' else \
                'SegmentationClass'
            link(src.label_path(name), osp.join(root, folder, f'{name}.png'))
        write_ids(osp.join(root, 'ImageSets', 'Segmentation', f'{split}.txt'),
                  ids)


def write_coco(src: DenseSource, out: str, splits: Dict) -> None:
    """COCO instances json (exact RLE masks) for train2017/val2017."""
    categories = [dict(id=i, name=name)
                  for i, name in enumerate(src.classes) if i > 0]
    for split, ids in (('train2017', splits['train_a'] + splits['train_b']),
                       ('val2017', splits['test'])):
        images, anns = [], []
        for image_id, name in enumerate(ids, start=1):
            label, objs = src.read(name)
            link(src.image(name), osp.join(out, 'coco', split, f'{name}.jpg'))
            images.append(dict(id=image_id, file_name=f'{name}.jpg',
                               height=int(label.shape[0]),
                               width=int(label.shape[1])))
            anns += coco_annotations(objs, image_id, len(anns) + 1)
        path = osp.join(out, 'coco', 'annotations',
                        f'instances_{split}.json')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(dict(images=images, annotations=anns,
                           categories=categories), f)


def write_cityscapes(src: DenseSource, out: str, splits: Dict) -> None:
    """Cityscapes layout: PNG images, train-id labels (255 = none)."""
    for split, ids in (('train', splits['train_a'] + splits['train_b']),
                       ('val', splits['test'])):
        for name in ids:
            stem = f'{CITY}_{name}'
            img = osp.join(out, 'cityscapes', 'leftImg8bit', split, CITY,
                           f'{stem}_leftImg8bit.png')
            os.makedirs(osp.dirname(img), exist_ok=True)
            Image.open(src.image(name)).convert('RGB').save(img)
            link(src.label_path(name),
                 osp.join(out, 'cityscapes', 'gtFine', split, CITY,
                          f'{stem}_gtFine_labelTrainIds.png'))


def build_downstream_sets(dense: str, out: str,
                          limit: Optional[int] = None) -> Dict:
    """Write all layouts; returns a summary.

    Args:
        dense (str): Dense set root (with ``SegmentationObject``).
        out (str): Output folder (replaced).
        limit (int, optional): Use at most this many train and test images.

    Returns:
        dict: Image and instance counts per split.
    """
    src = DenseSource(dense)
    train = read_split(dense, 'train')[:limit]
    test = read_split(dense, 'test')[:limit]
    half = (len(train) + 1) // 2
    splits = dict(train_a=train[:half], train_b=train[half:], test=test)
    if not splits['train_b'] or not test:
        raise ValueError(f'{dense}: need at least 2 train and 1 test image')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for write in (write_voc_detection, write_voc_segmentation, write_coco,
                  write_cityscapes):
        write(src, out, splits)
    with open(osp.join(out, 'classes.json'), 'w') as f:
        json.dump(dict(classes=src.classes), f, indent=1)
    counts = {key: len(ids) for key, ids in splits.items()}
    counts['instances'] = sum(
        len(src.read(name)[1]) for ids in splits.values() for name in ids)
    return counts


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--dense', default='data/dense',
                        help='dense set (build_dense_set.py)')
    parser.add_argument('--out', default='data/downstream')
    parser.add_argument('--limit', type=int, default=None,
                        help='at most this many train and test images')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Build from the command line; returns the exit code."""
    args = parse_args(argv)
    try:
        counts = build_downstream_sets(args.dense, args.out, args.limit)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'downstream sets -> {args.out}: train {counts["train_a"]} + '
          f'{counts["train_b"]} images, test {counts["test"]}, '
          f'{counts["instances"]} instances')
    return 0


if __name__ == '__main__':
    sys.exit(main())
