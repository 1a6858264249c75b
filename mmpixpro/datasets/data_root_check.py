# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check the training images exist before a model is built."""
import os.path as osp

from mmengine.config import Config

from .image_folder import IMG_EXTENSIONS, iter_images


class DataRootError(FileNotFoundError):
    """The training data root is missing or holds no image."""


def check_data_root(cfg: Config) -> None:
    """Fail early if the training image folder is missing or empty.

    Only datasets that search a folder (a ``data_root`` and no
    ``ann_file``) are checked; others are left to the dataset.

    Args:
        cfg (Config): The full config.

    Raises:
        DataRootError: Naming the folder and the config key to fix.
    """
    dataset = (cfg.get('train_dataloader') or {}).get('dataset') or {}
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
    if next(iter_images(root, extensions), None) is None:
        raise DataRootError(
            f'The training image folder {root!r} holds no image with one of '
            f'the extensions {tuple(extensions)} (check {key}).')
