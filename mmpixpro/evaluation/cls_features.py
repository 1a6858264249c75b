# Copyright (c) mmpixpro contributors. All rights reserved.
"""Global features of a frozen backbone for the classification protocols,
and their top-k accuracy.

The global feature of an image is the average of its C5 map over all
positions (a ResNet's global average pool, the input of its ``fc``).
"""
from dataclasses import dataclass
from typing import Dict, Mapping, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .cls_dataset import cls_splits
from .frozen_backbone import extract_features


@torch.no_grad()
def pooled_features(backbone: nn.Module,
                    dataset: Sequence,
                    stage: str = 'C5',
                    batch_size: int = 64,
                    normalise: bool = False) -> Tuple[Tensor, Tensor]:
    """Globally average-pooled features of every image of a dataset.

    Images are read ``batch_size`` at a time, so memory holds one batch
    of images and the (N, C) features.

    Args:
        backbone (nn.Module): Frozen backbone (see
            :func:`~mmpixpro.evaluation.extract_features`).
        dataset (Sequence): Items ``(image (S, S, 3) uint8, class id)``,
            e.g. :class:`~mmpixpro.evaluation.ClsDataset`.
        stage (str): ResNet stage. Defaults to ``'C5'``.
        batch_size (int): Images per forward. Defaults to 64.
        normalise (bool): L2-normalise each feature. Defaults to False.

    Returns:
        tuple[Tensor, Tensor]: Features (N, C) float32 and labels (N,)
        int64.
    """
    feats, labels = [], []
    for start in range(0, len(dataset), batch_size):
        items = [dataset[i] for i in
                 range(start, min(start + batch_size, len(dataset)))]
        maps = extract_features(backbone, [img for img, _ in items], stage,
                                batch_size)  # (n, C, h, w)
        feats.append(maps.mean(dim=(2, 3)))
        labels += [label for _, label in items]
    feats = torch.cat(feats)
    if normalise:
        feats = F.normalize(feats, dim=1)
    return feats, torch.tensor(labels, dtype=torch.long)


def topk_accuracy(scores: Tensor, labels: Tensor,
                  topk: Sequence[int] = (1, 5)) -> Dict[int, float]:
    """Percentage of samples whose class is among the k highest scores.

    Args:
        scores (Tensor): (M, K) class scores.
        labels (Tensor): (M, ) int64 true classes.
        topk (Sequence[int]): The k's; each must be <= K.

    Returns:
        dict[int, float]: ``{k: accuracy in percent}``.
    """
    ranked = scores.argsort(dim=1, descending=True)  # (M, K)
    hits = ranked == labels[:, None]
    return {k: 100.0 * hits[:, :k].any(1).float().mean().item()
            for k in topk}


@dataclass
class SplitFeatures:
    """Pooled features of a train and a val split.

    Args:
        train (Tensor): (N, C) train features.
        train_labels (Tensor): (N, ) int64.
        val (Tensor): (M, C) val features.
        val_labels (Tensor): (M, ) int64.
        num_classes (int): Classes K of the two splits.
    """
    train: Tensor
    train_labels: Tensor
    val: Tensor
    val_labels: Tensor
    num_classes: int

    def sizes(self) -> dict:
        """``num_train``, ``num_val``, ``num_classes``, ``feature_dim``."""
        return dict(num_train=len(self.train), num_val=len(self.val),
                    num_classes=self.num_classes,
                    feature_dim=self.train.shape[1])


def split_features(backbone: nn.Module, data_root: str,
                   split_args: Mapping[str, object], stage: str,
                   batch_size: int, normalise: bool) -> SplitFeatures:
    """Read the train and val splits of a data root and pool their
    features (the first step of both classification protocols).

    Args:
        backbone (nn.Module): Frozen backbone.
        data_root (str): Labelled data.
        split_args (Mapping): Keyword arguments of
            :func:`~mmpixpro.evaluation.cls_splits` (splits, annotation
            files, resize, crop, interpolation).
        stage (str): ResNet stage.
        batch_size (int): Images per forward.
        normalise (bool): L2-normalise the features.

    Returns:
        SplitFeatures: Both splits' features and labels.
    """
    train, val = cls_splits(data_root, **split_args)
    return SplitFeatures(
        *pooled_features(backbone, train, stage, batch_size, normalise),
        *pooled_features(backbone, val, stage, batch_size, normalise),
        num_classes=max(train.num_classes, val.num_classes))
