# Copyright (c) mmpixpro contributors. All rights reserved.
"""Timing of the data pipeline: decoding and the views' augmentation on
real files, ours as configured (two views, or multi-crop) or the
torchvision/PIL two-view reference."""
import copy
import os.path as osp
import time
from typing import Iterator, List

import torch
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.datasets import IMG_EXTENSIONS, list_images
from .config_step import load_config
from .torchvision_views import TorchvisionTwoViews

PIPELINES = ('ours', 'torchvision')


def time_dataloader(config: str, data_root: str, num_workers: int,
                    batch: int, batches: int, warmup: int = 2,
                    pipeline: str = 'ours') -> dict:
    """Images per second of a multi-view pipeline on real files.

    Decoding and the views' augmentation run in ``num_workers`` worker
    processes (0: in this process), exactly as configured for training
    (``pipeline='ours'``: two views, or N with multi-crop) or as the
    reference two-view torchvision/PIL pipeline
    (``pipeline='torchvision'``, :func:`build_loader`).

    Args:
        config (str): A config of ours with a ``train_dataloader`` (a
            training config, or a dataset base such as
            ``configs/_base_/datasets/imagenet_multicrop.py``).
        data_root (str): Folder of images.
        num_workers (int): Dataloader workers.
        batch (int): Images per batch.
        batches (int): Timed batches, >= 1.
        warmup (int): Untimed batches first (worker start-up included).
        pipeline (str): 'ours' or 'torchvision'. Defaults to 'ours'.

    Returns:
        dict: ``pipeline``, ``workers``, ``views`` (per image),
        ``img_per_s`` and ``img_per_s_per_core`` (the main process counts
        as one core when there is no worker).
    """
    loader = build_loader(pipeline, config, data_root, num_workers, batch)
    iterator = iter(_endless(loader))
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        last = next(iterator)
    rate = batches * batch / (time.perf_counter() - start)
    # ours: a dict of inputs and data samples; torchvision: the views
    views = last['inputs'] if isinstance(last, dict) else last
    return dict(
        pipeline=pipeline,
        workers=num_workers,
        views=len(views),
        img_per_s=rate,
        img_per_s_per_core=rate / max(num_workers, 1))


def _endless(loader: torch.utils.data.DataLoader) -> Iterator:
    """The loader's batches, epoch after epoch (the sampler re-seeded)."""
    epoch = 0
    while True:
        if hasattr(loader.sampler, 'set_epoch'):
            loader.sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def image_files(data_root: str) -> List[str]:
    """The images our dataset lists under ``data_root``, sorted
    (:func:`~mmpixpro.datasets.list_images`).

    Args:
        data_root (str): Folder of images.

    Returns:
        list[str]: Paths below ``data_root`` (joined with it).
    """
    return [
        osp.join(data_root, path)
        for path in list_images(data_root, IMG_EXTENSIONS)
    ]


def build_loader(pipeline: str, config: str, data_root: str,
                 num_workers: int, batch: int) -> torch.utils.data.DataLoader:
    """A dataloader of our configured pipeline or of the reference one.

    Args:
        pipeline (str): 'ours' (the config's ``train_dataloader``) or
            'torchvision' (:class:`TorchvisionTwoViews`, same files).
        config (str): A training config of ours.
        data_root (str): Folder of images.
        num_workers (int): Dataloader workers.
        batch (int): Images per batch.

    Returns:
        torch.utils.data.DataLoader: The loader.
    """
    if pipeline == 'torchvision':
        return torch.utils.data.DataLoader(
            TorchvisionTwoViews(image_files(data_root)),
            batch_size=batch,
            shuffle=True,
            num_workers=num_workers,
            persistent_workers=num_workers > 0,
            drop_last=True)
    loader_cfg = copy.deepcopy(load_config(config).train_dataloader)
    loader_cfg.dataset.data_root = data_root
    loader_cfg.update(
        batch_size=batch,
        num_workers=num_workers,
        persistent_workers=num_workers > 0)
    with DefaultScope.overwrite_default_scope('mmpixpro'):
        return Runner.build_dataloader(loader_cfg, seed=0)
