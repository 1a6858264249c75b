# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmdet pieces for the paper's detection transfer recipe (detectron2's).

Imported by the mmdet benchmark configs with ``custom_imports``; needs
mmdet (and full mmcv), so ``mmpixpro`` never imports it. The C4 head's
extra norm after res5 is mmpretrain's ``ResLayerExtraNorm``, which
registers itself in mmdet's registry when ``mmpretrain.models`` is
imported beside mmdet.
"""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmdet.registry import HOOKS, TRANSFORMS
from mmengine.logging import print_log
from mmpretrain.engine.hooks.precise_bn_hook import (PreciseBNHook,
                                                     update_bn_stats)
from torch.utils.data import DataLoader


@TRANSFORMS.register_module()
class KeepDifficultBoxes(BaseTransform):
    """Train on VOC's "difficult" boxes, as detectron2 does.

    mmdet's ``VOCDataset`` flags difficult objects as ignored, and
    ``PackDetInputs`` then moves them out of the training targets;
    detectron2's VOC loader keeps them for training. Place this right
    after ``LoadAnnotations`` in the training pipeline. Evaluation keeps
    VOC's rule (difficult objects neither count nor hurt).

    Required keys: ``gt_ignore_flags``. Modified keys: ``gt_ignore_flags``.
    """

    def transform(self, results: dict) -> dict:
        """Clear every ignore flag.

        Args:
            results (dict): Result of ``LoadAnnotations``.

        Returns:
            dict: With all-False ``gt_ignore_flags``.
        """
        if 'gt_ignore_flags' in results:
            results['gt_ignore_flags'] = np.zeros_like(
                results['gt_ignore_flags'], dtype=bool)
        return results


def _fresh_batches(loader) -> DataLoader:
    """Random training batches of ``loader``'s dataset in a new loader.

    The training loader itself cannot be iterated a second time: with an
    ``InfiniteSampler`` its sampler is one shared generator, and
    ``AspectRatioBatchSampler`` keeps the bucket of its suspended first
    iterator, so a second iterator never completes a batch.

    Args:
        loader (DataLoader): The training loader.

    Returns:
        DataLoader: Same dataset, collate function and batch size,
        shuffled, single process.
    """
    batch_size = loader.batch_size or loader.batch_sampler.batch_size
    return DataLoader(loader.dataset, batch_size=batch_size, shuffle=True,
                      collate_fn=loader.collate_fn, drop_last=True,
                      generator=torch.Generator().manual_seed(0))


@HOOKS.register_module()
class DetPreciseBNHook(PreciseBNHook):
    """mmpretrain's ``PreciseBNHook`` for mmdet's training loaders.

    mmdet's loaders batch through ``AspectRatioBatchSampler`` (their
    ``batch_size`` is None, and they cannot be iterated twice); this hook
    draws the batches from a fresh loader of the same dataset (see
    :func:`_fresh_batches`). detectron2's recipe
    (``TEST.PRECISE_BN``) recomputes the BN statistics over 200 batches
    before every evaluation. Arguments as ``PreciseBNHook``.
    """

    def _perform_precise_bn(self, runner) -> None:
        """Recompute the BN statistics on training batches."""
        print_log(f'Running Precise BN for {self.num_samples} samples...',
                  logger=runner.logger)
        update_bn_stats(runner.model,
                        _fresh_batches(runner.train_loop.dataloader),
                        self.num_samples, logger=runner.logger)
        print_log('Finish Precise BN, BN stats updated.',
                  logger=runner.logger)
