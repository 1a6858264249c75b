# Copyright (c) mmpixpro contributors. All rights reserved.
"""One call that scores a backbone's frozen dense features: linear probe
mIoU / pixel accuracy and nearest-neighbour readout mIoU on a test split.

Made to be called from a training hook as well as from
``tools/analysis_tools/dense_probe.py``: the backbone's train/eval state is
restored and no global random state is changed.
"""
import time
from dataclasses import asdict, dataclass, fields
from typing import Callable, Dict, Mapping, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor, nn

from .frozen_backbone import extract_features
from .knn_readout import knn_patch_scores, knn_predict, patch_label_histograms
from .linear_probe import predict_linear, train_linear_head
from .metrics import IGNORE_INDEX, confusion_matrix, segmentation_scores


@dataclass
class DenseProbeConfig:
    """Settings of :func:`run_dense_probe`.

    Args:
        stage (str): Feature stage of a ResNet, ``'C4'`` or ``'C5'``.
        epochs (int): Linear-probe epochs over the cached features.
        lr (float): Linear-probe Adam learning rate.
        batch_size (int): Images per probe step and per forward.
        knn_k (int): Neighbours of the nearest-neighbour readout.
        knn_temperature (float): Softmax temperature of the readout.
        seed (int): Seed of the probe's init and sample order.
        label_scale (int, optional): The probe trains on labels reduced to
            this many times the feature grid (None: full size).
        balance (float): Class-balance exponent of the probe's
            cross-entropy, w_k ~ (n / n_k) ** balance (0: plain).
        num_classes (int, optional): Classes K; default: the dataset's.
        ignore_index (int): Unlabelled id.
    """
    stage: str = 'C5'
    epochs: int = 40
    lr: float = 0.01
    batch_size: int = 16
    knn_k: int = 10
    knn_temperature: float = 0.07
    seed: int = 0
    label_scale: Optional[int] = 4
    balance: float = 0.5
    num_classes: Optional[int] = None
    ignore_index: int = IGNORE_INDEX

    @classmethod
    def from_any(cls, cfg: Union['DenseProbeConfig', Mapping, None]
                 ) -> 'DenseProbeConfig':
        """Accept a config, a dict of its fields (unknown keys refused) or
        None (defaults)."""
        if isinstance(cfg, cls):
            return cfg
        cfg = dict(cfg or {})
        unknown = set(cfg) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f'unknown dense-probe options {sorted(unknown)}')
        return cls(**cfg)


def load_split(dataset: Sequence) -> tuple:
    """Read all pairs of a split into memory.

    Args:
        dataset (Sequence): Items ``(image (H, W, 3) uint8, label (H, W))``,
            all of one size.

    Returns:
        tuple[list[np.ndarray], Tensor]: Images and (N, H, W) int64 labels.
    """
    pairs = [dataset[i] for i in range(len(dataset))]
    images = [p[0] for p in pairs]
    labels = torch.from_numpy(np.stack([p[1] for p in pairs])).long()
    return images, labels


def scores_in_batches(predict: Callable[[slice], Tensor], labels: Tensor,
                      num_classes: int, ignore_index: int,
                      batch_size: int) -> Dict[str, object]:
    """Accumulate the confusion matrix of batched predictions.

    Args:
        predict (Callable): ``slice -> (n, H, W)`` predicted ids.
        labels (Tensor): (N, H, W) ground truth.
        num_classes (int): Classes K.
        ignore_index (int): Unlabelled id.
        batch_size (int): Images per batch.

    Returns:
        dict: :func:`segmentation_scores` of the whole split.
    """
    conf = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for start in range(0, len(labels), batch_size):
        part = slice(start, start + batch_size)
        conf += confusion_matrix(predict(part), labels[part], num_classes,
                                 ignore_index)
    return segmentation_scores(conf)


def backbone_of(model_or_backbone: nn.Module) -> nn.Module:
    """The backbone of an algorithm (``.backbone``), else the module."""
    return getattr(model_or_backbone, 'backbone', model_or_backbone)


def run_dense_probe(model_or_backbone: nn.Module,
                    dataset: Mapping[str, Sequence],
                    cfg: Union[DenseProbeConfig, Mapping, None] = None
                    ) -> Dict[str, object]:
    """Linear probe and nearest-neighbour readout of frozen features.

    Args:
        model_or_backbone (nn.Module): A PixPro-family model (its
            ``backbone`` is used) or a backbone; see
            :func:`extract_features`.
        dataset (Mapping[str, Sequence]): ``{'train': ..., 'test': ...}``,
            each a sequence of ``(image, label)`` pairs of one size (e.g.
            :class:`DenseSegDataset` with ``img_size`` set).
        cfg (DenseProbeConfig | dict, optional): Settings.

    Returns:
        dict: ``mIoU``, ``pixel_acc``, ``object_IoU`` (linear probe),
        ``knn_mIoU``, ``knn_pixel_acc``, ``knn_object_IoU`` (readout),
        per-class ``IoU``/``knn_IoU`` lists, ``feat_shape`` and
        ``seconds`` (feature, probe, readout).
    """
    cfg = DenseProbeConfig.from_any(cfg)
    num_classes = cfg.num_classes or dataset['train'].num_classes
    backbone = backbone_of(model_or_backbone)
    t0 = time.perf_counter()
    train_imgs, train_labels = load_split(dataset['train'])
    test_imgs, test_labels = load_split(dataset['test'])
    train_feats = extract_features(backbone, train_imgs, cfg.stage,
                                   cfg.batch_size)
    test_feats = extract_features(backbone, test_imgs, cfg.stage,
                                  cfg.batch_size)
    t1 = time.perf_counter()
    size = tuple(test_labels.shape[-2:])
    with torch.random.fork_rng():
        head = train_linear_head(train_feats, train_labels, num_classes,
                                 cfg.epochs, cfg.lr, cfg.batch_size,
                                 cfg.seed, cfg.ignore_index, cfg.label_scale,
                                 cfg.balance)
    linear = scores_in_batches(
        lambda s: predict_linear(head, test_feats[s], size), test_labels,
        num_classes, cfg.ignore_index, cfg.batch_size)
    t2 = time.perf_counter()
    hist = patch_label_histograms(train_labels, train_feats.shape[-2:],
                                  num_classes, cfg.ignore_index)
    knn = scores_in_batches(
        lambda s: knn_predict(
            knn_patch_scores(train_feats, hist, test_feats[s], cfg.knn_k,
                             cfg.knn_temperature), size), test_labels,
        num_classes, cfg.ignore_index, cfg.batch_size)
    t3 = time.perf_counter()
    return dict(
        mIoU=linear['mIoU'], pixel_acc=linear['pixel_acc'],
        object_IoU=linear['object_IoU'],
        knn_mIoU=knn['mIoU'], knn_pixel_acc=knn['pixel_acc'],
        knn_object_IoU=knn['object_IoU'],
        IoU=linear['IoU'], knn_IoU=knn['IoU'],
        feat_shape=list(train_feats.shape[1:]), config=asdict(cfg),
        seconds=dict(features=t1 - t0, probe=t2 - t1, knn=t3 - t2))
