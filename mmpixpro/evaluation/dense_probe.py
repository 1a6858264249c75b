# Copyright (c) mmpixpro contributors. All rights reserved.
"""One call that scores a backbone's frozen dense features: linear probe
mIoU / pixel accuracy and nearest-neighbour readout mIoU on a test split.

Made to be called from a training hook as well as from
``tools/analysis_tools/dense_probe.py`` and the ``seg-linear-*`` protocols
(:mod:`.seg_protocols`): the backbone's train/eval state is restored and no
global random state is changed. Features are streamed
(:class:`~.feature_stream.StreamedFeatures`): the test split chunk by
chunk, the train split from a cache of at most ``cache_bytes`` (None: all
of it, the demo's default; the kNN readout needs all of it).
"""
import time
from dataclasses import asdict, dataclass, fields
from typing import Dict, Mapping, Optional, Sequence, Union

import torch
from torch import nn

from .feature_stream import StreamedFeatures
from .knn_readout import knn_patch_scores, knn_predict, patch_label_histograms
from .linear_probe import (predict_linear, reduce_labels, train_label_size,
                           train_linear_head)
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
        label_size (int, optional): The probe trains on labels reduced to
            this square side instead of ``label_scale`` (NeCo: 100).
        metric_size (int, optional): mIoU is computed on test labels
            reduced (nearest) to this square side, the logits upsampled to
            it (NeCo: 100); None: at the size the pairs are loaded at.
        head_bn (bool): BatchNorm in the linear head (False: 1x1 conv only).
        optimizer (str): ``'adam'`` or ``'sgd'``.
        momentum (float): SGD momentum.
        weight_decay (float): The head's weight decay.
        schedule (str): ``'cosine'`` or ``'constant'`` learning rate.
        knn (bool): Run the nearest-neighbour readout (holds every train
            feature: needs ``cache_bytes`` None).
        cache_bytes (int, optional): Most bytes of train features + labels
            held; beyond it features are recomputed each epoch. None: all.
        extract_batch_size (int, optional): Images per forward (default:
            ``batch_size``).
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
    label_size: Optional[int] = None
    metric_size: Optional[int] = None
    head_bn: bool = True
    optimizer: str = 'adam'
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = 'cosine'
    knn: bool = True
    cache_bytes: Optional[int] = None
    extract_batch_size: Optional[int] = None

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
        ``knn_mIoU``, ``knn_pixel_acc``, ``knn_object_IoU`` (readout; NaN
        when ``knn`` is off), per-class ``IoU``/``knn_IoU`` lists,
        ``feat_shape``, ``label_sizes`` (``train``: the probe's loss,
        ``metric``: the mIoU's, each ``[H, W]``), ``memory`` (bytes of
        train features held at most, images forwarded) and ``seconds``
        (feature, probe, readout).
    """
    cfg = DenseProbeConfig.from_any(cfg)
    if cfg.knn and cfg.cache_bytes is not None:
        raise ValueError('the kNN readout holds every train feature: '
                         'set knn=False to bound the memory (cache_bytes)')
    num_classes = cfg.num_classes or dataset['train'].num_classes
    backbone = backbone_of(model_or_backbone)
    forward_batch = cfg.extract_batch_size or cfg.batch_size
    t0 = time.perf_counter()
    train = StreamedFeatures(backbone, dataset['train'], cfg.stage,
                             forward_batch, cfg.cache_bytes)
    train.warm()
    t1 = time.perf_counter()
    with torch.random.fork_rng():
        head = train_linear_head(
            train, None, num_classes, cfg.epochs, cfg.lr, cfg.batch_size,
            cfg.seed, cfg.ignore_index, cfg.label_scale, cfg.balance,
            cfg.head_bn, cfg.optimizer, cfg.momentum, cfg.weight_decay,
            cfg.schedule, cfg.label_size)
    t2 = time.perf_counter()
    knn_seconds = 0.0
    if cfg.knn:
        train_feats, train_labels = train.held_all()
        hist = patch_label_histograms(train_labels, train_feats.shape[-2:],
                                      num_classes, cfg.ignore_index)
        knn_seconds = time.perf_counter() - t2
    test = StreamedFeatures(backbone, dataset['test'], cfg.stage,
                            forward_batch, cache_bytes=0)
    metric = None if cfg.metric_size is None else (cfg.metric_size, ) * 2
    conf = torch.zeros(2, num_classes, num_classes, dtype=torch.long)
    label_sizes = {}
    for _, feats, labels in test.chunks():
        labels = reduce_labels(labels, metric)
        size = tuple(labels.shape[-2:])
        label_sizes['metric'] = list(size)
        conf[0] += confusion_matrix(predict_linear(head, feats, size),
                                    labels, num_classes, cfg.ignore_index)
        if cfg.knn:
            t = time.perf_counter()
            conf[1] += confusion_matrix(
                knn_predict(knn_patch_scores(train_feats, hist, feats,
                                             cfg.knn_k,
                                             cfg.knn_temperature), size),
                labels, num_classes, cfg.ignore_index)
            knn_seconds += time.perf_counter() - t
    t3 = time.perf_counter()
    linear = segmentation_scores(conf[0])
    knn = segmentation_scores(conf[1]) if cfg.knn else dict(
        mIoU=float('nan'), pixel_acc=float('nan'),
        object_IoU=float('nan'), IoU=[])
    feat, label = train.fetch([0])
    target = train_label_size(feat.shape[-2:], cfg.label_scale,
                              cfg.label_size)
    label_sizes['train'] = list(reduce_labels(label, target).shape[-2:])
    return dict(
        mIoU=linear['mIoU'], pixel_acc=linear['pixel_acc'],
        object_IoU=linear['object_IoU'],
        knn_mIoU=knn['mIoU'], knn_pixel_acc=knn['pixel_acc'],
        knn_object_IoU=knn['object_IoU'],
        IoU=linear['IoU'], knn_IoU=knn['IoU'],
        feat_shape=list(feat.shape[1:]), config=asdict(cfg),
        label_sizes=label_sizes,
        memory=dict(train_bytes_held=train.peak_bytes,
                    train_images_forwarded=train.extracted),
        seconds=dict(features=t1 - t0, probe=t3 - t1 - knn_seconds,
                     knn=knn_seconds))
