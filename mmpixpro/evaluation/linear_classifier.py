# Copyright (c) mmpixpro contributors. All rights reserved.
"""Linear classifier on cached frozen global features, the protocol
``linear-cls`` (a CPU-sized stand-in for mmpretrain's linear evaluation).

The full recipe, run by mmpretrain's own ``ImageClassifier`` on
augmented images, is in ``configs/benchmarks/classification/``. Here the
same frozen backbone gives one global-average-pooled C5 feature x per
image (centre crop, no augmentation), cached once; mmpretrain's
``LinearClsHead`` (y = W x + b, N(0, 0.01) init) is trained on them with
SGD (momentum 0.9, no weight decay) and cross-entropy, the learning rate
divided by 10 at 60 % and 80 % of the epochs, as in mmpretrain's
``imagenet_sgd_steplr_100e`` schedule.

Deviations from that recipe, all to make it a seconds-long CPU protocol:
no RandomResizedCrop / flip (features cached), and the features are
standardised with the train set's per-channel mean and standard deviation
before the head (a fixed form of the affine-free BatchNorm that MoCo v3
and MAE put before their linear head), so one learning rate (0.1) suits
any backbone instead of MoCo's 30 for raw pooled features.
"""
import time
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import EVAL_PROTOCOLS
from .cls_features import split_features, topk_accuracy
from .protocols import ProtocolResult


class StandardisedLinear(nn.Module):
    """y = W ((x - mu) / sigma) + b with fixed mu, sigma.

    Args:
        mean (Tensor): (C, ) mu, the train features' mean.
        std (Tensor): (C, ) sigma, their standard deviation (floored at
            1e-6).
        num_classes (int): Classes K.
    """

    def __init__(self, mean: Tensor, std: Tensor, num_classes: int) -> None:
        super().__init__()
        from mmpretrain.models.heads import LinearClsHead
        self.register_buffer('mean', mean.clone())
        self.register_buffer('std', std.clamp_min(1e-6))
        self.head = LinearClsHead(num_classes, in_channels=len(mean))
        # the head's init_cfg, Normal(std=0.01, bias=0), without its log
        nn.init.normal_(self.head.fc.weight, std=0.01)
        nn.init.zeros_(self.head.fc.bias)

    def forward(self, feats: Tensor) -> Tensor:
        """(N, C) features -> (N, K) logits."""
        return self.head(((feats - self.mean) / self.std, ))


def train_linear_classifier(feats: Tensor,
                            labels: Tensor,
                            num_classes: int,
                            epochs: int = 100,
                            lr: float = 0.1,
                            momentum: float = 0.9,
                            weight_decay: float = 0.0,
                            batch_size: int = 256,
                            milestones: Sequence[float] = (0.6, 0.8),
                            gamma: float = 0.1,
                            standardise: bool = True,
                            seed: int = 0) -> StandardisedLinear:
    """Fit a linear classifier on cached features.

    Args:
        feats (Tensor): (N, C) train features x.
        labels (Tensor): (N, ) int64 classes.
        num_classes (int): Classes K.
        epochs (int): Passes over the features. Defaults to 100.
        lr (float): SGD learning rate. Defaults to 0.1.
        momentum (float): SGD momentum. Defaults to 0.9.
        weight_decay (float): Defaults to 0.
        batch_size (int): Features per step. Defaults to 256.
        milestones (Sequence[float]): Shares of the epochs after which the
            learning rate is multiplied by ``gamma``. Defaults to (0.6,
            0.8): epochs 60 and 80 of 100.
        gamma (float): Step factor. Defaults to 0.1.
        standardise (bool): Standardise x with the train statistics;
            False uses mean 0, std 1. Defaults to True.
        seed (int): Seed of the init and the sample order. Defaults to 0.

    Returns:
        StandardisedLinear: The classifier, in eval mode.
    """
    if standardise:
        mean, std = feats.mean(0), feats.std(0, unbiased=False)
    else:
        mean, std = feats.new_zeros(feats.shape[1]), feats.new_ones(
            feats.shape[1])
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = StandardisedLinear(mean, std, num_classes)
    optim = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                            weight_decay=weight_decay)
    steps = sorted({round(m * epochs) for m in milestones})
    model.train()
    with torch.enable_grad():
        for epoch in range(epochs):
            for group in optim.param_groups:
                group['lr'] = lr * gamma**sum(epoch >= s for s in steps)
            order = torch.randperm(len(feats), generator=gen)
            for start in range(0, len(feats), batch_size):
                idx = order[start:start + batch_size]
                loss = F.cross_entropy(model(feats[idx]), labels[idx])
                optim.zero_grad()
                loss.backward()
                optim.step()
    return model.eval()


@EVAL_PROTOCOLS.register_module(name='linear-cls')
def linear_classification(backbone: nn.Module,
                          data_root: str,
                          epochs: int = 100,
                          lr: float = 0.1,
                          momentum: float = 0.9,
                          weight_decay: float = 0.0,
                          batch_size: int = 256,
                          milestones: Sequence[float] = (0.6, 0.8),
                          gamma: float = 0.1,
                          standardise: bool = True,
                          seed: int = 0,
                          stage: str = 'C5',
                          resize: int = 256,
                          crop: int = 224,
                          interpolation: str = 'bilinear',
                          train_split: str = 'train',
                          val_split: str = 'val',
                          train_ann_file: Optional[str] = None,
                          val_ann_file: Optional[str] = None,
                          feature_batch_size: int = 64) -> ProtocolResult:
    """Top-1 / top-5 of a linear head on cached frozen global features.

    Images: short side ``resize`` (pillow bilinear, mmpretrain's
    ``ResizeEdge``), centre crop ``crop``, for train and val alike.

    Args:
        backbone (nn.Module): Frozen backbone.
        data_root (str): Labelled data (see
            :class:`~mmpixpro.evaluation.ClsDataset`).
        epochs (int): Passes over the features. Defaults to 100.
        lr (float): SGD learning rate. Defaults to 0.1.
        momentum (float): SGD momentum. Defaults to 0.9.
        weight_decay (float): Defaults to 0.
        batch_size (int): Features per step. Defaults to 256.
        milestones (Sequence[float]): Shares of the epochs after which the
            learning rate is multiplied by ``gamma``. Defaults to (0.6,
            0.8).
        gamma (float): Step factor. Defaults to 0.1.
        standardise (bool): Standardise the features with the train
            statistics. Defaults to True.
        seed (int): Seed of the head's init and the sample order.
        stage (str): Feature stage. Defaults to ``'C5'``.
        resize (int): Short side. Defaults to 256.
        crop (int): Centre crop. Defaults to 224.
        interpolation (str): Defaults to ``'bilinear'``.
        train_split (str): Train folder. Defaults to ``'train'``.
        val_split (str): Evaluated folder. Defaults to ``'val'``.
        train_ann_file (str, optional): mmpretrain annotation file.
        val_ann_file (str, optional): mmpretrain annotation file.
        feature_batch_size (int): Images per forward. Defaults to 64.

    Returns:
        ProtocolResult: ``top1`` (and ``top5`` with >= 5 classes) in
        percent on ``val_split``; ``extra`` has the train accuracy and the
        set sizes.
    """
    settings = dict(
        head='LinearClsHead on standardised features' if standardise else
        'LinearClsHead', epochs=epochs, optimizer='SGD', lr=lr,
        momentum=momentum, weight_decay=weight_decay, batch_size=batch_size,
        schedule='step', milestones=list(milestones), gamma=gamma,
        standardise=standardise, seed=seed, stage=stage, pool='avg',
        augmentation=None, resize=resize, crop=crop,
        interpolation=interpolation, train_split=train_split,
        val_split=val_split, train_ann_file=train_ann_file,
        val_ann_file=val_ann_file, feature_batch_size=feature_batch_size)
    start = time.perf_counter()
    feats = split_features(
        backbone, data_root,
        dict(train_split=train_split, val_split=val_split,
             train_ann_file=train_ann_file, val_ann_file=val_ann_file,
             resize=resize, crop=crop, interpolation=interpolation),
        stage, feature_batch_size, normalise=False)
    model = train_linear_classifier(feats.train, feats.train_labels,
                                    feats.num_classes, epochs, lr, momentum,
                                    weight_decay, batch_size, milestones,
                                    gamma, standardise, seed)
    topk = (1, 5) if feats.num_classes >= 5 else (1, )
    with torch.no_grad():
        acc = topk_accuracy(model(feats.val), feats.val_labels, topk)
        train_acc = topk_accuracy(model(feats.train), feats.train_labels,
                                  (1, ))
    metrics = {f'top{k}': v for k, v in acc.items()}
    extra = dict(feats.sizes(), train_top1=train_acc[1])
    return ProtocolResult('linear-cls', metrics, settings, data_root,
                          time.perf_counter() - start, extra)
