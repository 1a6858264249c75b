# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check the training images exist before a model is built."""
import os
import os.path as osp
from typing import Sequence

from mmengine.config import Config

from .image_folder import IMG_EXTENSIONS


class DataRootError(FileNotFoundError):
    """The training data root is missing or holds no image."""


def has_image(root: str, extensions: Sequence[str]) -> bool:
    """Whether ``root`` holds at least one image (stops at the first).

    Args:
        root (str): Folder, searched recursively (hidden entries skipped).
        extensions (Sequence[str]): Extensions, matched case-insensitively.

    Returns:
        bool: True as soon as one image file is found.
    """
    extensions = tuple(e.lower() for e in extensions)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith('.')]
        if any(not f.startswith('.') and f.lower().endswith(extensions)
               for f in filenames):
            return True
    return False


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
    extensions = dataset.get('extensions', IMG_EXTENSIONS)
    if not has_image(root, extensions):
        raise DataRootError(
            f'The training image folder {root!r} holds no image with one of '
            f'the extensions {tuple(extensions)} (check {key}).')
