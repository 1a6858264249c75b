# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check the training images exist before a model is built."""
import os.path as osp
from typing import Optional, Tuple

import mmengine.fileio as fileio
from mmengine.config import Config
from mmengine.utils import is_abs

from .file_list import read_file_list
from .image_folder import IMG_EXTENSIONS, list_images, normalise_extensions

_KEY = 'train_dataloader.dataset'


class DataRootError(FileNotFoundError):
    """The training data root is missing or holds no image."""


class DatasetTooSmallError(ValueError):
    """Fewer images than one batch, and incomplete batches are dropped."""


def check_data_root(cfg: Config, world_size: int = 1) -> None:
    """Fail early if the training images are missing, none, or fewer than
    one batch while ``drop_last`` drops incomplete batches.

    Every dataset kind with a ``data_root`` is checked the same way: a
    folder that is searched (no ``ann_file``; the search stops once a batch
    is found), and a file list (``ann_file``: of a folder or of zip
    shards), read by :func:`read_file_list` with its rules (UTF-8, paths
    inside the image root, duplicates counted once), so a bad list also
    fails here, before the model is built.

    Args:
        cfg (Config): The full config.
        world_size (int): Training processes. Defaults to 1.

    Raises:
        DataRootError: Naming the folder or list and the config key to fix.
        DatasetTooSmallError: With the count and the batch.
        FileListError: If the file list breaks a rule of
            :func:`read_file_list`.
    """
    loader = cfg.get('train_dataloader') or {}
    dataset = loader.get('dataset') or {}
    data_root = dataset.get('data_root')
    if not isinstance(data_root, str):
        return
    batch = loader.get('batch_size')
    need = batch * world_size if isinstance(batch, int) and loader.get(
        'drop_last') else 1
    if dataset.get('ann_file'):
        where, found = _count_listed(dataset, data_root)
    else:
        where, found = _count_found(dataset, data_root, need)
    if found < need:
        raise DatasetTooSmallError(
            f'The training {where} holds {found} images, fewer than one '
            f'batch (train_dataloader.batch_size={batch} x {world_size} '
            'process(es)), and drop_last=True drops incomplete batches: an '
            'epoch would have no iteration. Add images, lower the batch '
            'size, or set train_dataloader.drop_last=False.')


def _count_found(dataset: dict, data_root: str, need: int) -> Tuple[str, int]:
    """``(description, images found up to need)`` of a searched folder."""
    prefix = (dataset.get('data_prefix') or {}).get('img_path') or ''
    root = osp.join(data_root, prefix)
    if not osp.isdir(root):
        raise DataRootError(
            f'The training image folder {root!r} does not exist (set '
            f'{_KEY}.data_root, e.g. --cfg-options {_KEY}.data_root='
            '/path/to/images).')
    extensions = normalise_extensions(
        dataset.get('extensions', IMG_EXTENSIONS))
    found = len(list_images(root, extensions, limit=need))
    if not found:
        raise DataRootError(
            f'The training image folder {root!r} holds no image with one of '
            f'the extensions {extensions} (check {_KEY}.data_root).')
    return f'image folder {root!r}', found


def _count_listed(dataset: dict, data_root: str) -> Tuple[str, int]:
    """``(description, distinct paths)`` of a file list (``ann_file``)."""
    backend_args: Optional[dict] = dataset.get('backend_args')
    ann_file = dataset['ann_file']
    if not is_abs(ann_file) and data_root:
        ann_file = fileio.join_path(
            data_root, ann_file, backend_args=backend_args)
    try:
        paths = read_file_list(ann_file, backend_args, warn_duplicates=False)
    except FileNotFoundError:
        raise DataRootError(
            f'The training file list {ann_file!r} does not exist (set '
            f'{_KEY}.ann_file, relative to {_KEY}.data_root).') from None
    if not paths:
        raise DataRootError(
            f'The training file list {ann_file!r} lists no image (check '
            f'{_KEY}.ann_file).')
    return f'file list {ann_file!r}', len(paths)
