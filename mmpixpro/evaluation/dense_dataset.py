# Copyright (c) mmpixpro contributors. All rights reserved.
"""Labelled images for dense evaluation, read from VOC-, Cityscapes-,
ADE20K- or COCO-Stuff-style folders (our composite set uses the VOC layout).

VOC layout (``root`` = e.g. ``VOCdevkit/VOC2012`` or ``data/dense``)::

    JPEGImages/<id>.jpg   SegmentationClass/<id>.png   (class ids, 255 =
    ignore; palette PNGs are read as their indices)
    ImageSets/Segmentation/<split>.txt   (one id a line)
    classes.json          (optional: {"classes": [names]})

Cityscapes layout::

    leftImg8bit/<split>/<city>/<name>_leftImg8bit.png
    gtFine/<split>/<city>/<name>_gtFine_labelTrainIds.png  (or _labelIds.png,
    mapped to the 19 train ids here)

ADE20K layout (``root`` = ``ADEChallengeData2016``; splits ``training``,
``validation``, or ``train``/``val``)::

    images/<split>/<name>.jpg   annotations/<split>/<name>.png
    (ids 1..150 -> 0..149, 0 -> 255: see :mod:`.seg_classes`)

COCO-Stuff 164k layout (``root`` holds both folders; splits ``train2017``,
``val2017``, or ``train``/``val``)::

    images/<split>/<name>.jpg
    stuffthingmaps_trainval2017/<split>/<name>.png  (COCO id - 1, 255
    unlabelled -> the 171 contiguous ids 0..170, others 255)
    (or annotations/<split>/<name>_labelTrainIds.png, already 0..170)
"""
import glob
import json
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .metrics import IGNORE_INDEX
from .seg_classes import (ADE20K_CLASSES, COCO_STUFF_CLASSES,
                          ade20k_train_ids, coco_stuff_train_ids)

VOC_CLASSES = ('background', 'aeroplane', 'bicycle', 'bird', 'boat',
               'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable',
               'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep',
               'sofa', 'train', 'tvmonitor')
CITYSCAPES_CLASSES = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole',
                      'traffic light', 'traffic sign', 'vegetation',
                      'terrain', 'sky', 'person', 'rider', 'car', 'truck',
                      'bus', 'train', 'motorcycle', 'bicycle')
# Cityscapes labelIds of the 19 evaluated classes, in train-id order.
CITYSCAPES_LABEL_IDS = (7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26,
                        27, 28, 31, 32, 33)
CLASSES_FILE = 'classes.json'
LAYOUTS = ('voc', 'cityscapes', 'ade20k', 'cocostuff')
# split aliases of the layouts whose folders are named otherwise
SPLIT_NAMES = {
    'ade20k': dict(train='training', val='validation'),
    'cocostuff': dict(train='train2017', val='val2017'),
}


def read_image(path: str) -> np.ndarray:
    """Read an RGB image as ``uint8`` (H, W, 3)."""
    from PIL import Image
    with Image.open(path) as img:
        return np.asarray(img.convert('RGB'))


def read_label(path: str) -> np.ndarray:
    """Read a label PNG as ``int64`` (H, W); palette PNGs give indices."""
    from PIL import Image
    with Image.open(path) as img:
        if img.mode not in ('P', 'L', 'I', 'I;16'):
            img = img.convert('L')
        return np.asarray(img).astype(np.int64)


def cityscapes_train_ids(label_ids: np.ndarray) -> np.ndarray:
    """Map Cityscapes ``labelIds`` to the 19 train ids (others -> 255).

    Args:
        label_ids (np.ndarray): (H, W) Cityscapes label ids.

    Returns:
        np.ndarray: (H, W) train ids, 255 for unevaluated ids.
    """
    table = np.full(256, IGNORE_INDEX, dtype=np.int64)
    table[list(CITYSCAPES_LABEL_IDS)] = np.arange(len(CITYSCAPES_LABEL_IDS))
    return table[np.clip(label_ids, 0, 255)]


def resize_pair(image: np.ndarray, label: np.ndarray,
                size: Optional[int]) -> Tuple[np.ndarray, np.ndarray]:
    """Resize to ``size`` x ``size`` (image bilinear, label nearest).

    Args:
        image (np.ndarray): (H, W, 3) uint8.
        label (np.ndarray): (H, W) int64.
        size (int, optional): Output side; None keeps the input.

    Returns:
        tuple[np.ndarray, np.ndarray]: The resized pair.
    """
    if size is None or image.shape[:2] == (size, size):
        return image, label
    from PIL import Image
    img = Image.fromarray(image).resize((size, size),
                                        Image.Resampling.BILINEAR)
    lab = Image.fromarray(label.astype(np.int32)).resize(
        (size, size), Image.Resampling.NEAREST)
    return np.asarray(img), np.asarray(lab).astype(np.int64)


class DenseSegDataset:
    """Image/label pairs of one split, resized to a square.

    Args:
        root (str): Dataset folder.
        split (str): Split name (``train``, ``test``, ``val``, ...).
        layout (str): ``'voc'``, ``'cityscapes'``, ``'ade20k'`` or
            ``'cocostuff'``. Defaults to ``'voc'``.
        img_size (int, optional): Square side of every returned pair;
            None keeps the file size. Defaults to None.
        classes (Sequence[str], optional): Class names; by default read from
            ``classes.json`` (VOC layout), else the layout's benchmark
            names (VOC 21, Cityscapes 19, ADE20K 150, COCO-Stuff 171).
    """

    def __init__(self,
                 root: str,
                 split: str,
                 layout: str = 'voc',
                 img_size: Optional[int] = None,
                 classes: Optional[Sequence[str]] = None) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f'layout must be one of {LAYOUTS}, got '
                             f'{layout!r}')
        if not osp.isdir(root):
            raise FileNotFoundError(f'dataset folder {root!r} not found')
        split = SPLIT_NAMES.get(layout, {}).get(split, split)
        self.root, self.split, self.layout = root, split, layout
        self.img_size = img_size
        self.pairs = getattr(self, f'_{layout}_pairs')()
        if not self.pairs:
            raise FileNotFoundError(f'no {split!r} pairs in {root!r} '
                                    f'({layout} layout)')
        self.classes = tuple(classes or self._default_classes())

    @property
    def num_classes(self) -> int:
        """Number of classes K (label ids are 0..K-1 or 255)."""
        return len(self.classes)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> Tuple[np.ndarray, np.ndarray]:
        """Return ``(image (S, S, 3) uint8, label (S, S) int64)``."""
        img_path, label_path = self.pairs[index]
        return resize_pair(read_image(img_path), self.read_label(label_path),
                           self.img_size)

    def read_label(self, label_path: str) -> np.ndarray:
        """A label file as evaluated ids 0..K-1 / 255 (layout mapping
        applied, not resized)."""
        label = read_label(label_path)
        if label_path.endswith('TrainIds.png'):
            return label
        if self.layout == 'cityscapes' and label_path.endswith('Ids.png'):
            return cityscapes_train_ids(label)
        if self.layout == 'ade20k':
            return ade20k_train_ids(label)
        if self.layout == 'cocostuff':
            return coco_stuff_train_ids(label)
        return label

    def _voc_pairs(self) -> List[Tuple[str, str]]:
        list_file = osp.join(self.root, 'ImageSets', 'Segmentation',
                             f'{self.split}.txt')
        if not osp.isfile(list_file):
            raise FileNotFoundError(f'split list {list_file!r} not found')
        with open(list_file) as f:
            ids = [line.strip() for line in f if line.strip()]
        return [(osp.join(self.root, 'JPEGImages', f'{i}.jpg'),
                 osp.join(self.root, 'SegmentationClass', f'{i}.png'))
                for i in ids]

    def _cityscapes_pairs(self) -> List[Tuple[str, str]]:
        pattern = osp.join(self.root, 'leftImg8bit', self.split, '*',
                           '*_leftImg8bit.png')
        pairs = []
        for img_path in sorted(glob.glob(pattern)):
            stem = osp.join(
                self.root, 'gtFine', self.split,
                osp.basename(osp.dirname(img_path)),
                osp.basename(img_path)[:-len('_leftImg8bit.png')])
            for suffix in ('_gtFine_labelTrainIds.png',
                           '_gtFine_labelIds.png'):
                if osp.isfile(stem + suffix):
                    pairs.append((img_path, stem + suffix))
                    break
        return pairs

    def _folder_pairs(self, image_dir: str, label_dir: str,
                      label_suffixes: Sequence[str]
                      ) -> List[Tuple[str, str]]:
        """``image_dir/<name>.jpg`` with the first existing
        ``label_dir/<name><suffix>``."""
        pairs = []
        for img_path in sorted(glob.glob(osp.join(image_dir, '*.jpg'))):
            stem = osp.join(label_dir, osp.basename(img_path)[:-4])
            for suffix in label_suffixes:
                if osp.isfile(stem + suffix):
                    pairs.append((img_path, stem + suffix))
                    break
        return pairs

    def _ade20k_pairs(self) -> List[Tuple[str, str]]:
        return self._folder_pairs(
            osp.join(self.root, 'images', self.split),
            osp.join(self.root, 'annotations', self.split), ('.png', ))

    def _cocostuff_pairs(self) -> List[Tuple[str, str]]:
        image_dir = osp.join(self.root, 'images', self.split)
        raw = osp.join(self.root, 'stuffthingmaps_trainval2017', self.split)
        if osp.isdir(raw):
            return self._folder_pairs(image_dir, raw, ('.png', ))
        return self._folder_pairs(
            image_dir, osp.join(self.root, 'annotations', self.split),
            ('_labelTrainIds.png', ))

    def _default_classes(self) -> Sequence[str]:
        if self.layout == 'cityscapes':
            return CITYSCAPES_CLASSES
        if self.layout == 'ade20k':
            return ADE20K_CLASSES
        if self.layout == 'cocostuff':
            return COCO_STUFF_CLASSES
        path = osp.join(self.root, CLASSES_FILE)
        if osp.isfile(path):
            with open(path) as f:
                return json.load(f)['classes']
        return VOC_CLASSES


class VideoSequence:
    """Frames and masks of one sequence in a DAVIS-style folder.

    Layout: ``<root>/JPEGImages/<name>/*.jpg`` and
    ``<root>/Annotations/<name>/*.png`` (object ids, 0 = background), paired
    by sorted order. Only the first mask is given to a propagation method;
    the others are ground truth.

    Args:
        root (str): Sequences folder (for DAVIS: the folder holding
            ``JPEGImages/480p`` may be given with ``resolution='480p'``).
        name (str): Sequence name.
        resolution (str): Optional sub-folder of both ``JPEGImages`` and
            ``Annotations`` (DAVIS: ``'480p'``). Defaults to ``''``.
    """

    def __init__(self, root: str, name: str, resolution: str = '') -> None:
        frames = sorted(
            glob.glob(osp.join(root, 'JPEGImages', resolution, name, '*.jpg')))
        masks = sorted(
            glob.glob(osp.join(root, 'Annotations', resolution, name,
                               '*.png')))
        if not frames or len(frames) != len(masks):
            raise FileNotFoundError(
                f'sequence {name!r} in {root!r}: {len(frames)} frames, '
                f'{len(masks)} masks (need the same number, > 0)')
        self.name, self.frames, self.masks = name, frames, masks

    def __len__(self) -> int:
        return len(self.frames)

    def load(self) -> Tuple[np.ndarray, np.ndarray]:
        """Return ``frames (T, H, W, 3) uint8`` and ``masks (T, H, W)``."""
        return (np.stack([read_image(p) for p in self.frames]),
                np.stack([read_label(p) for p in self.masks]))


def list_sequences(root: str, resolution: str = '') -> List[str]:
    """Names of the sequences under ``<root>/JPEGImages[/<resolution>]``.

    Args:
        root (str): Sequences folder.
        resolution (str): Optional sub-folder (DAVIS: ``'480p'``).

    Returns:
        list[str]: Sorted names.
    """
    base = osp.join(root, 'JPEGImages', resolution)
    if not osp.isdir(base):
        raise FileNotFoundError(f'no sequences folder {base!r}')
    return sorted(osp.basename(d) for d in glob.glob(osp.join(base, '*'))
                  if osp.isdir(d))
