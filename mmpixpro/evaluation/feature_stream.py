# Copyright (c) mmpixpro contributors. All rights reserved.
"""Frozen features of a labelled split with bounded memory.

:class:`StreamedFeatures` computes a split's features on demand and keeps
at most ``cache_bytes`` of them (features plus their labels) in a cache
filled in index order; the rest are recomputed whenever a step needs them.
The linear probe trains from it in passes over the data (every epoch
re-extracts what the cache does not hold) and the test split is scored
chunk by chunk, so the memory of a probe is bounded by the cache and one
batch, whatever the size of the set (ADE20K, COCO-Stuff), at the price of
one forward per image and epoch beyond the cache.

With ``cache_bytes=None`` everything is cached after one in-order pass:
the in-memory behaviour of the demo probe, with the same numbers.
"""
from typing import Dict, Iterator, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from .frozen_backbone import extract_features
from .linear_probe import reduce_labels


class StreamedFeatures:
    """Features and labels of one split, computed on demand.

    Args:
        backbone (nn.Module): Frozen backbone (see
            :func:`~mmpixpro.evaluation.extract_features`).
        dataset (Sequence): ``(image (H, W, 3) uint8, label (H, W))`` pairs
            of one size.
        stage (str): ResNet stage. Defaults to ``'C5'``.
        batch_size (int): Images per forward. Defaults to 16.
        cache_bytes (int, optional): Most bytes of features + labels kept;
            None keeps all. Defaults to None.
        label_size (tuple[int, int], optional): Labels are stored and
            returned reduced to this size (nearest,
            :func:`~mmpixpro.evaluation.reduce_labels`); None keeps the
            dataset's size.
    """

    def __init__(self,
                 backbone: nn.Module,
                 dataset: Sequence,
                 stage: str = 'C5',
                 batch_size: int = 16,
                 cache_bytes: Optional[int] = None,
                 label_size: Optional[Tuple[int, int]] = None) -> None:
        self.backbone, self.dataset = backbone, dataset
        self.stage, self.batch_size = stage, batch_size
        self.cache_bytes, self.label_size = cache_bytes, label_size
        self.cache: Dict[int, Tuple[Tensor, Tensor]] = {}
        self.held_bytes = 0
        self.peak_bytes = 0
        self.extracted = 0  # images forwarded, all passes together
        # the extractor's memory layout, kept so that a batch served from
        # the cache is the tensor a held copy would give (same numbers)
        self.memory_format = torch.contiguous_format

    def __len__(self) -> int:
        return len(self.dataset)

    def _compute(self, indices: Sequence[int]) -> Tuple[Tensor, Tensor]:
        pairs = [self.dataset[int(i)] for i in indices]
        feats = extract_features(self.backbone, [p[0] for p in pairs],
                                 self.stage, self.batch_size)
        labels = torch.from_numpy(np.stack([p[1] for p in pairs])).long()
        self.extracted += len(indices)
        if feats.dim() == 4 and not feats.is_contiguous() and \
                feats.is_contiguous(memory_format=torch.channels_last):
            self.memory_format = torch.channels_last
        return feats, reduce_labels(labels, self.label_size)

    def _keep(self, index: int, feat: Tensor, label: Tensor) -> None:
        size = feat.numel() * feat.element_size() + label.numel() * (
            1 if int(label.max()) < 256 else 8)
        if self.cache_bytes is not None and \
                self.held_bytes + size > self.cache_bytes:
            return
        small = label.to(torch.uint8) if int(label.max()) < 256 else label
        self.cache[index] = (feat.clone(), small.clone())
        self.held_bytes += size
        self.peak_bytes = max(self.peak_bytes, self.held_bytes)

    def fetch(self, indices: Sequence[int]) -> Tuple[Tensor, Tensor]:
        """Features and labels of ``indices``, cached or recomputed.

        Args:
            indices (Sequence[int]): Items of the split.

        Returns:
            tuple[Tensor, Tensor]: (n, C, h, w) float32 features and
            (n, H, W) int64 labels, in the order of ``indices``.
        """
        indices = [int(i) for i in indices]
        missing = [i for i in indices if i not in self.cache]
        computed = {}
        if missing:
            feats, labels = self._compute(missing)
            for i, feat, label in zip(missing, feats, labels):
                computed[i] = (feat, label)
                self._keep(i, feat, label)
        items = [self.cache.get(i) or computed[i] for i in indices]
        feats = torch.stack([f for f, _ in items]).contiguous(
            memory_format=self.memory_format)
        return feats, torch.stack([lab for _, lab in items]).long()

    def chunks(self) -> Iterator[Tuple[slice, Tensor, Tensor]]:
        """Consecutive batches of the whole split, in order (a pass that
        also fills the cache up to its cap).

        Yields:
            tuple: ``(slice, feats (n, C, h, w), labels (n, H, W))``.
        """
        for start in range(0, len(self), self.batch_size):
            part = slice(start, min(start + self.batch_size, len(self)))
            feats, labels = self.fetch(range(part.start, part.stop))
            yield part, feats, labels

    def warm(self) -> None:
        """One in-order pass, so the cache holds the first items that fit
        (all of them when ``cache_bytes`` is None)."""
        for _ in self.chunks():
            pass

    def held_all(self) -> Tuple[Tensor, Tensor]:
        """Every feature and label, from the cache (after :meth:`warm`).

        Returns:
            tuple[Tensor, Tensor]: (N, C, h, w) and (N, H, W) int64.

        Raises:
            RuntimeError: Part of the split is not cached (a cap is set).
        """
        if len(self.cache) < len(self):
            raise RuntimeError(
                f'{len(self) - len(self.cache)} of {len(self)} items are '
                f'not cached (cache_bytes={self.cache_bytes}): a readout '
                'that needs every feature at once cannot run streamed')
        return (torch.stack([self.cache[i][0] for i in range(len(self))
                             ]).contiguous(memory_format=self.memory_format),
                torch.stack([self.cache[i][1]
                             for i in range(len(self))]).long())

    def label_counts(self, num_classes: int, ignore_index: int,
                     size: Optional[Tuple[int, int]] = None) -> Tensor:
        """Pixels per class over the split (one pass over the labels).

        Args:
            num_classes (int): Classes K.
            ignore_index (int): Unlabelled id.
            size (tuple[int, int], optional): Count on labels reduced to
                this size (as the probe trains on them).

        Returns:
            Tensor: (K,) int64.
        """
        counts = torch.zeros(num_classes, dtype=torch.long)
        for i in range(len(self)):
            if i in self.cache:
                label = self.cache[i][1].long()[None]
            else:
                label = reduce_labels(
                    torch.from_numpy(np.asarray(self.dataset[i][1]))[None]
                    .long(), self.label_size)
            label = reduce_labels(label, size)
            label = label[label != ignore_index]
            counts += torch.bincount(label.flatten(), minlength=num_classes)
        return counts
