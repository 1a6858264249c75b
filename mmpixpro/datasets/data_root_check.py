# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check the training images exist before a model is built."""
import os.path as osp
from itertools import islice

from mmengine.config import Config

from .image_folder import IMG_EXTENSIONS, iter_images


class DataRootError(FileNotFoundError):
    """The training data root is missing or holds no image."""


class DatasetTooSmallError(ValueError):
    """Fewer images than one batch, and incomplete batches are dropped."""


def check_data_root(cfg: Config, world_size: int = 1) -> None:
    """Fail early if the training image folder is missing, empty, or holds
    fewer images than one batch while ``drop_last`` drops incomplete ones.

    Only datasets that search a folder (a ``data_root`` and no
    ``ann_file``) are checked; others are left to the dataset.

    Args:
        cfg (Config): The full config.
        world_size (int): Training processes. Defaults to 1.

    Raises:
        DataRootError: Naming the folder and the config key to fix.
        DatasetTooSmallError: With the count and the batch.
    """
    loader = cfg.get('train_dataloader') or {}
    dataset = loader.get('dataset') or {}
    data_root = dataset.get('data_root')
    if not isinstance(data_root, str) or dataset.get('ann_file'):
        return
    prefix = (dataset.get('data_prefix') or {}).get('img_path') or ''
    root = osp.join(data_root, prefix)
    key = 'train_dataloader.dataset.data_root'
    if not osp.isdir(root):
        raise DataRootError(
            f'The training image folder {root!r} does not exist (set '
            f'{key}, e.g. --cfg-options {key}=/path/to/images).')
    extensions = tuple(e.lower() for e in dataset.get('extensions',
                                                      IMG_EXTENSIONS))
    batch = loader.get('batch_size')
    need = batch * world_size if isinstance(batch, int) and loader.get(
        'drop_last') else 1
    found = sum(1 for _ in islice(iter_images(root, extensions), need))
    if not found:
        raise DataRootError(
            f'The training image folder {root!r} holds no image with one of '
            f'the extensions {tuple(extensions)} (check {key}).')
    if found < need:
        raise DatasetTooSmallError(
            f'The training image folder {root!r} holds {found} images, fewer '
            f'than one batch (train_dataloader.batch_size={batch} x '
            f'{world_size} process(es)), and drop_last=True drops incomplete '
            'batches: an epoch would have no iteration. Add images, lower '
            'the batch size, or set train_dataloader.drop_last=False.')
