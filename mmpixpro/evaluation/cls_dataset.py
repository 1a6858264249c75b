# Copyright (c) mmpixpro contributors. All rights reserved.
"""Labelled images for classification protocols (kNN, linear).

Two layouts, as mmpretrain's ``ImageNet`` / ``CustomDataset`` read them:

* ImageNet folders: ``<root>/<split>/<class>/<image>`` (``train``,
  ``val``); the classes are the sorted sub-folders of ``<root>/train``
  (of ``<root>/<split>`` when there is no ``train``), so every split uses
  the same class ids.
* An mmpretrain annotation file: one ``<path> <label>`` line per image,
  the path relative to ``<root>/<data_prefix>`` (ImageNet:
  ``meta/train.txt`` with prefix ``train``). Its class names, when wanted,
  come from ``<root>/meta/classes.txt`` (one name a line).

Images are read as RGB and brought to one size by the evaluation
transform of the field: resize the short side to ``resize`` and centre
crop ``crop`` x ``crop`` (ImageNet: 256 / 224).
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .dense_dataset import read_image

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif',
                  '.tiff', '.webp')
INTERPOLATIONS = ('bilinear', 'bicubic')


def resize_centre_crop(image: np.ndarray, resize: Optional[int],
                       crop: Optional[int],
                       interpolation: str = 'bilinear') -> np.ndarray:
    """Resize the short side to ``resize``, then centre-crop a square.

    Args:
        image (np.ndarray): (H, W, 3) uint8 RGB.
        resize (int, optional): Short side after resizing; None keeps it.
        crop (int, optional): Side of the centre crop; None: no crop.
        interpolation (str): ``'bilinear'`` (mmpretrain's pillow
            ``ResizeEdge``) or ``'bicubic'`` (DINO's kNN evaluation).

    Returns:
        np.ndarray: (crop, crop, 3) uint8 (or the resized image).
    """
    from PIL import Image
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f'interpolation must be one of {INTERPOLATIONS}, '
                         f'got {interpolation!r}')
    h, w = image.shape[:2]
    if resize is not None and min(h, w) != resize:
        scale = resize / min(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        method = (Image.Resampling.BILINEAR if interpolation == 'bilinear'
                  else Image.Resampling.BICUBIC)
        image = np.asarray(Image.fromarray(image).resize(size, method))
        h, w = image.shape[:2]
    if crop is None:
        return image
    if crop > min(h, w):
        raise ValueError(f'crop {crop} is larger than the image ({h} x {w})'
                         f' after resizing to {resize}')
    top, left = int(round((h - crop) / 2)), int(round((w - crop) / 2))
    return image[top:top + crop, left:left + crop]


def list_classes(folder: str) -> List[str]:
    """Sorted names of the sub-folders of ``folder`` (one per class)."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'class folder {folder!r} not found')
    return sorted(d.name for d in os.scandir(folder) if d.is_dir())


def read_ann_file(path: str, prefix: str) -> List[Tuple[str, int]]:
    """Read an mmpretrain annotation file (``<path> <label>`` lines).

    Args:
        path (str): The annotation file.
        prefix (str): Folder the image paths are relative to.

    Returns:
        list[tuple[str, int]]: ``(image path, label)`` pairs.

    Raises:
        FileNotFoundError: The file, or an image it names, is missing (the
            message names it and the line).
        ValueError: A line is not ``<path> <integer label>``.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file {path!r} not found')
    samples = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(maxsplit=1)
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(f'{path}:{number}: expected "<path> "'
                                 f'"<label>", got {line!r}')
            image = osp.join(prefix, parts[0])
            if not osp.isfile(image):
                raise FileNotFoundError(f'{path}:{number}: image {image!r} '
                                        'not found')
            samples.append((image, int(parts[1])))
    return samples


class ClsDataset:
    """Images and class ids of one split, brought to one size.

    Args:
        root (str): Data root (holds ``train/``, ``val/`` or ``meta/``).
        split (str): Split folder (``train``, ``val``). Defaults to
            ``'train'``.
        ann_file (str, optional): mmpretrain annotation file, relative to
            ``root`` or absolute; None reads the class folders.
        data_prefix (str, optional): Folder below ``root`` that the paths
            of ``ann_file`` are relative to. Defaults to ``split``.
        resize (int, optional): Short side after resizing. Defaults to 256.
        crop (int, optional): Centre crop side. Defaults to 224.
        interpolation (str): Resize method. Defaults to ``'bilinear'``.

    Attributes:
        samples (list[tuple[str, int]]): ``(path, class id)`` pairs.
        classes (tuple[str]): Class names (ids are their indices); for an
            annotation file without ``meta/classes.txt``, ``'0'``, ``'1'``,
            ... up to the largest id.
    """

    def __init__(self,
                 root: str,
                 split: str = 'train',
                 ann_file: Optional[str] = None,
                 data_prefix: Optional[str] = None,
                 resize: Optional[int] = 256,
                 crop: Optional[int] = 224,
                 interpolation: str = 'bilinear') -> None:
        if not osp.isdir(root):
            raise FileNotFoundError(f'dataset folder {root!r} not found')
        self.root, self.split = root, split
        self.resize, self.crop = resize, crop
        self.interpolation = interpolation
        prefix = osp.join(root, split if data_prefix is None else
                          data_prefix)
        if ann_file is not None:
            self.samples = read_ann_file(osp.join(root, ann_file), prefix)
            self.classes = self._ann_classes()
        else:
            self.classes = tuple(self._folder_classes())
            self.samples = self._folder_samples(prefix)
        if not self.samples:
            raise FileNotFoundError(f'no {split!r} images in {root!r}')
        bad = [s for s in self.samples if not 0 <= s[1] < len(self.classes)]
        if bad:
            raise ValueError(f'{bad[0][0]}: label {bad[0][1]} outside the '
                             f'{len(self.classes)} classes')

    @property
    def num_classes(self) -> int:
        """Number of classes K."""
        return len(self.classes)

    @property
    def labels(self) -> List[int]:
        """Class id of every sample, in order."""
        return [label for _, label in self.samples]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Tuple[np.ndarray, int]:
        """Return ``(image (crop, crop, 3) uint8, class id)``."""
        path, label = self.samples[index]
        return resize_centre_crop(read_image(path), self.resize, self.crop,
                                  self.interpolation), label

    def _folder_classes(self) -> Sequence[str]:
        train = osp.join(self.root, 'train')
        return list_classes(train if osp.isdir(train) else
                            osp.join(self.root, self.split))

    def _folder_samples(self, folder: str) -> List[Tuple[str, int]]:
        index = {name: i for i, name in enumerate(self.classes)}
        samples = []
        for name in list_classes(folder):
            if name not in index:
                raise ValueError(f'{osp.join(folder, name)!r}: class '
                                 f'{name!r} is not one of the train classes')
            for entry in sorted(os.scandir(osp.join(folder, name)),
                                key=lambda e: e.name):
                if entry.name.lower().endswith(IMG_EXTENSIONS):
                    samples.append((entry.path, index[name]))
        return samples

    def _ann_classes(self) -> Tuple[str, ...]:
        path = osp.join(self.root, 'meta', 'classes.txt')
        if osp.isfile(path):
            with open(path) as f:
                return tuple(line.strip() for line in f if line.strip())
        return tuple(str(i) for i in range(max(self.labels, default=-1)
                                           + 1))


def cls_splits(data_root: str,
               train_split: str = 'train',
               val_split: str = 'val',
               train_ann_file: Optional[str] = None,
               val_ann_file: Optional[str] = None,
               **transform) -> Tuple[ClsDataset, ClsDataset]:
    """The train and val :class:`ClsDataset` of a data root.

    Args:
        data_root (str): Data root.
        train_split (str): Train split folder. Defaults to ``'train'``.
        val_split (str): Val split folder. Defaults to ``'val'``.
        train_ann_file (str, optional): mmpretrain annotation file of the
            train split (e.g. ``meta/train.txt``); None: class folders.
        val_ann_file (str, optional): The same for the val split.
        **transform: ``resize``, ``crop``, ``interpolation`` of both.

    Returns:
        tuple[ClsDataset, ClsDataset]: ``(train, val)``.
    """
    return (ClsDataset(data_root, train_split, train_ann_file, **transform),
            ClsDataset(data_root, val_split, val_ann_file, **transform))
