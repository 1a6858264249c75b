# Copyright (c) mmpixpro contributors. All rights reserved.
"""Dense linear probe: (BN +) 1x1 conv on frozen features, trained with
cross-entropy on logits upsampled to (a reduced copy of) the label map.

The head trains from cached feature tensors or, with bounded memory, from a
:class:`~mmpixpro.evaluation.feature_stream.StreamedFeatures` (passes over
the data, features beyond its cache recomputed)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .metrics import IGNORE_INDEX


class DenseLinearHead(nn.Module):
    """Per-pixel linear classifier with a BatchNorm on its input.

    Args:
        in_channels (int): Feature channels C.
        num_classes (int): Classes K.
        bn (bool): BatchNorm before the 1x1 conv (DINOv2's linear head);
            False: the conv alone (NeCo's). Defaults to True.
    """

    def __init__(self, in_channels: int, num_classes: int,
                 bn: bool = True) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(in_channels) if bn else nn.Identity()
        self.cls = nn.Conv2d(in_channels, num_classes, kernel_size=1)

    def forward(self, feats: Tensor) -> Tensor:
        """(N, C, h, w) features -> (N, K, h, w) logits."""
        return self.cls(self.bn(feats))


def upsampled_logits(head: nn.Module, feats: Tensor, size) -> Tensor:
    """Logits bilinearly upsampled to the label size.

    Args:
        head (nn.Module): The classifier.
        feats (Tensor): (N, C, h, w).
        size (tuple[int, int]): Label (H, W).

    Returns:
        Tensor: (N, K, H, W).
    """
    return F.interpolate(head(feats), size=size, mode='bilinear',
                         align_corners=False)


def reduce_labels(labels: Tensor, size: Optional[Tuple[int, int]]) -> Tensor:
    """Nearest-neighbour copy of label maps at a smaller size.

    The probe's loss on logits upsampled to ``labels.shape`` costs as much
    as the rest of the evaluation together; at a few times the feature
    resolution it measures the same (checked on the dense set: equal mIoU,
    25x faster).

    Args:
        labels (Tensor): (N, H, W) int64.
        size (tuple[int, int], optional): Target (h, w); None or a size not
            smaller than (H, W) returns ``labels``.

    Returns:
        Tensor: (N, h, w) int64.
    """
    if size is None or (size[0] >= labels.shape[-2]
                        and size[1] >= labels.shape[-1]):
        return labels
    return F.interpolate(labels[:, None].float(), size=tuple(size),
                         mode='nearest')[:, 0].long()


def class_weights(labels: Tensor, num_classes: int, power: float,
                  ignore_index: int = IGNORE_INDEX) -> Optional[Tensor]:
    """Cross-entropy weights w_k proportional to (n / n_k) ** power.

    With ``power`` 0 every class weighs the same (None is returned); with
    0.5 a class with 1/100 of the pixels weighs 10x more, which keeps a
    probe on background-dominated data from predicting background only.
    Classes absent from ``labels`` get weight 0; the weights average to 1
    over the present classes.

    Args:
        labels (Tensor): Train labels.
        num_classes (int): Classes K.
        power (float): Balance exponent, >= 0.
        ignore_index (int): Unlabelled id.

    Returns:
        Tensor | None: (K,) float weights.
    """
    if power == 0:
        return None
    valid = labels[labels != ignore_index]
    return weights_from_counts(
        torch.bincount(valid.flatten(), minlength=num_classes), power)


def weights_from_counts(counts: Tensor, power: float) -> Tensor:
    """:func:`class_weights` from per-class pixel counts n_k.

    Args:
        counts (Tensor): (K,) pixels per class.
        power (float): Balance exponent, > 0.

    Returns:
        Tensor: (K,) float weights, mean 1 over present classes.
    """
    counts = counts.float()
    present = counts > 0
    weights = torch.zeros(len(counts))
    weights[present] = (counts.sum() / counts[present])**power
    return weights / weights[present].mean()


class TensorSource:
    """Cached (N, C, h, w) features and (N, H, W) labels with the
    ``fetch`` / ``label_counts`` interface of
    :class:`~mmpixpro.evaluation.feature_stream.StreamedFeatures`."""

    def __init__(self, feats: Tensor, labels: Tensor) -> None:
        self.feats, self.labels = feats, labels

    def __len__(self) -> int:
        return len(self.feats)

    def fetch(self, indices: Sequence[int]) -> Tuple[Tensor, Tensor]:
        """Features and labels of ``indices``."""
        idx = torch.as_tensor(indices, dtype=torch.long)
        return self.feats[idx], self.labels[idx]

    def label_counts(self, num_classes: int, ignore_index: int,
                     size: Optional[Tuple[int, int]] = None) -> Tensor:
        """Pixels per class of the labels reduced to ``size``."""
        labels = reduce_labels(self.labels, size)
        valid = labels[labels != ignore_index]
        return torch.bincount(valid.flatten(), minlength=num_classes)


def train_label_size(feat_size: Tuple[int, int],
                     label_scale: Optional[int] = 4,
                     label_size: Optional[int] = None
                     ) -> Optional[Tuple[int, int]]:
    """The label size the probe's loss is computed at.

    Args:
        feat_size (tuple[int, int]): Feature grid (h, w).
        label_scale (int, optional): ``label_scale`` x the grid.
        label_size (int, optional): A fixed square side (NeCo: 100);
            takes precedence over ``label_scale``.

    Returns:
        tuple[int, int] | None: Target size; None: the labels' own size
        (a target not smaller than the labels also keeps them).
    """
    if label_size is not None:
        return (label_size, label_size)
    if label_scale is not None:
        return (feat_size[0] * label_scale, feat_size[1] * label_scale)
    return None


def train_linear_head(feats,
                      labels: Optional[Tensor],
                      num_classes: int,
                      epochs: int = 40,
                      lr: float = 0.01,
                      batch_size: int = 16,
                      seed: int = 0,
                      ignore_index: int = IGNORE_INDEX,
                      label_scale: Optional[int] = 4,
                      balance: float = 0.0,
                      bn: bool = True,
                      optimizer: str = 'adam',
                      momentum: float = 0.9,
                      weight_decay: float = 0.0,
                      schedule: str = 'cosine',
                      label_size: Optional[int] = None) -> DenseLinearHead:
    """Fit a :class:`DenseLinearHead` on frozen features.

    The sample order of every epoch is a permutation drawn from a generator
    seeded with ``seed``, so a run is repeatable, and is the same whether
    the features are held or streamed.

    Args:
        feats (Tensor | StreamedFeatures): (N, C, h, w) train features, or
            a source with ``fetch(indices) -> (feats, labels)``,
            ``label_counts`` and ``len`` (then ``labels`` is None).
        labels (Tensor, optional): (N, H, W) int64 train labels
            (``ignore_index`` skipped).
        num_classes (int): Classes K.
        epochs (int): Passes over the data. Defaults to 40.
        lr (float): Learning rate. Defaults to 0.01.
        batch_size (int): Images per step. Defaults to 16.
        seed (int): Seed of the init and the order. Defaults to 0.
        ignore_index (int): Unlabelled id. Defaults to 255.
        label_scale (int, optional): Train on labels reduced to
            ``label_scale`` x the feature grid (see :func:`reduce_labels`);
            None trains at the full label size. Defaults to 4.
        balance (float): Class-balance exponent of :func:`class_weights`.
            Defaults to 0 (plain cross-entropy).
        bn (bool): BatchNorm in the head. Defaults to True.
        optimizer (str): ``'adam'`` or ``'sgd'`` (with ``momentum``).
            Defaults to ``'adam'``.
        momentum (float): SGD momentum. Defaults to 0.9.
        weight_decay (float): Weight decay. Defaults to 0.
        schedule (str): ``'cosine'`` (decay to 0 over all steps) or
            ``'constant'``. Defaults to ``'cosine'``.
        label_size (int, optional): Train on labels reduced to this square
            side instead (see ``train_label_size``).

    Returns:
        DenseLinearHead: The trained head, in eval mode.
    """
    source = feats if labels is None else TensorSource(feats, labels)
    num = len(source)
    first_feat, _ = source.fetch([0])
    target = train_label_size(first_feat.shape[-2:], label_scale,
                              label_size)
    weight = None
    if balance != 0:
        weight = weights_from_counts(
            source.label_counts(num_classes, ignore_index, target), balance)
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        head = DenseLinearHead(first_feat.shape[1], num_classes, bn)
    steps_per_epoch = -(-num // batch_size)
    if optimizer == 'adam':
        optim = torch.optim.Adam(head.parameters(), lr=lr,
                                 weight_decay=weight_decay)
    elif optimizer == 'sgd':
        optim = torch.optim.SGD(head.parameters(), lr=lr, momentum=momentum,
                                weight_decay=weight_decay)
    else:
        raise ValueError(f'optimizer must be adam or sgd, got {optimizer!r}')
    if schedule not in ('cosine', 'constant'):
        raise ValueError(f'schedule must be cosine or constant, got '
                         f'{schedule!r}')
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        optim, T_max=max(1, epochs * steps_per_epoch)) \
        if schedule == 'cosine' else None
    head.train()
    for _ in range(epochs):
        order = torch.randperm(num, generator=gen)
        for start in range(0, num, batch_size):
            batch_feats, batch_labels = source.fetch(
                order[start:start + batch_size].tolist())
            batch_labels = reduce_labels(batch_labels, target)
            logits = upsampled_logits(head, batch_feats,
                                      batch_labels.shape[-2:])
            loss = F.cross_entropy(logits, batch_labels, weight=weight,
                                   ignore_index=ignore_index)
            optim.zero_grad()
            loss.backward()
            optim.step()
            if sched is not None:
                sched.step()
    return head.eval()


@torch.no_grad()
def predict_linear(head: nn.Module, feats: Tensor, size,
                   batch_size: int = 16) -> Tensor:
    """Class ids predicted at the label size.

    Args:
        head (nn.Module): Trained classifier (eval mode).
        feats (Tensor): (N, C, h, w) test features.
        size (tuple[int, int]): Label (H, W).
        batch_size (int): Images per step. Defaults to 16.

    Returns:
        Tensor: (N, H, W) int64.
    """
    return torch.cat([
        upsampled_logits(head, feats[i:i + batch_size], size).argmax(1)
        for i in range(0, len(feats), batch_size)
    ])
