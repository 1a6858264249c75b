# Copyright (c) mmpixpro contributors. All rights reserved.
"""Weighted k-nearest-neighbour classifier on frozen global features, the
protocol ``knn-cls``.

As in InstDisc (Wu et al., https://arxiv.org/abs/1805.01978, Sec. 3.5)
and DINO (Caron et al., https://arxiv.org/abs/2104.14294, Sec. 4.1):
with L2-normalised features f, the k training features of highest cosine
similarity s_i = f_test . f_i vote for their class c_i with weight
exp(s_i / T), and the class with the largest total weight wins::

    w_c = sum_{i in top-k, c_i = c} exp(s_i / T)

T = 0.07; k = 20 (DINO's main number) and k = 200 (InstDisc's).

Memory: the train features are searched in chunks of ``train_chunk`` rows
for blocks of ``query_chunk`` test features, keeping a running top-k, so
beyond the (N, C) float32 bank of train features the search holds at most
``query_chunk x (2 train_chunk + k)`` float32 similarities (a chunk's
block and its concatenation with the running top-k): 64 MiB at the
defaults (256 x 32,768), whatever N.
"""
import time
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor, nn

from mmpixpro.registry import EVAL_PROTOCOLS
from .cls_features import split_features, topk_accuracy
from .protocols import ProtocolResult


def search_bytes(query_chunk: int, train_chunk: int, k: int) -> int:
    """Bytes of the similarity block of :func:`knn_class_scores`.

    Args:
        query_chunk (int): Test features per block.
        train_chunk (int): Train features per chunk.
        k (int): Neighbours kept.

    Returns:
        int: ``4 * query_chunk * (2 * train_chunk + k)``: the block of
        similarities and its concatenation with the running top-k.
    """
    return 4 * query_chunk * (2 * train_chunk + k)


@torch.no_grad()
def top_k_neighbours(train_feats: Tensor,
                     test_feats: Tensor,
                     k: int,
                     train_chunk: int = 32768) -> tuple:
    """The k most similar train features of each test feature.

    The train features are compared one chunk at a time and merged into a
    running top-k, so the similarities held never exceed
    ``len(test_feats) x (2 train_chunk + k)``.

    Args:
        train_feats (Tensor): (N, C) L2-normalised train features.
        test_feats (Tensor): (M, C) L2-normalised test features.
        k (int): Neighbours; at most N.
        train_chunk (int): Train features per similarity block.

    Returns:
        tuple[Tensor, Tensor]: Similarities (M, k), descending, and the
        train indices (M, k) int64.
    """
    best_sim = test_feats.new_empty(len(test_feats), 0)
    best_idx = torch.empty(len(test_feats), 0, dtype=torch.long)
    for start in range(0, len(train_feats), train_chunk):
        sim = test_feats @ train_feats[start:start + train_chunk].T
        kept = best_sim.shape[1]
        # positions < kept are the running top-k, the others this chunk's
        best_sim, pos = torch.cat([best_sim, sim], 1).topk(
            min(k, kept + sim.shape[1]), dim=1)
        best_idx = torch.where(pos < kept,
                               best_idx.gather(1, pos.clamp(max=kept - 1))
                               if kept else pos, start + pos - kept)
    return best_sim, best_idx


@torch.no_grad()
def knn_class_scores(train_feats: Tensor,
                     train_labels: Tensor,
                     test_feats: Tensor,
                     num_classes: int,
                     k: int = 20,
                     temperature: float = 0.07,
                     query_chunk: int = 256,
                     train_chunk: int = 32768) -> Tensor:
    """Class weights w_c of the weighted kNN vote for every test feature.

    Args:
        train_feats (Tensor): (N, C) L2-normalised train features.
        train_labels (Tensor): (N, ) int64 train classes c_i.
        test_feats (Tensor): (M, C) L2-normalised test features.
        num_classes (int): Classes K.
        k (int): Neighbours (min(k, N) are used). Defaults to 20.
        temperature (float): T of exp(s / T). Defaults to 0.07.
        query_chunk (int): Test features per block. Defaults to 256.
        train_chunk (int): Train features per block. Defaults to 32,768.

    Returns:
        Tensor: (M, K) summed weights w_c.
    """
    scores = []
    for start in range(0, len(test_feats), query_chunk):
        sim, idx = top_k_neighbours(train_feats,
                                    test_feats[start:start + query_chunk],
                                    k, train_chunk)  # (q, k)
        weight = (sim / temperature).exp()
        votes = sim.new_zeros(len(sim), num_classes)
        scores.append(votes.scatter_add_(1, train_labels[idx], weight))
    return torch.cat(scores)


@EVAL_PROTOCOLS.register_module(name='knn-cls')
def knn_classification(backbone: nn.Module,
                       data_root: str,
                       ks: Sequence[int] = (20, 200),
                       temperature: float = 0.07,
                       stage: str = 'C5',
                       resize: int = 256,
                       crop: int = 224,
                       interpolation: str = 'bicubic',
                       train_split: str = 'train',
                       val_split: str = 'val',
                       train_ann_file: Optional[str] = None,
                       val_ann_file: Optional[str] = None,
                       batch_size: int = 64,
                       query_chunk: int = 256,
                       train_chunk: int = 32768) -> ProtocolResult:
    """Weighted kNN top-1 (and top-5 with >= 5 classes) of frozen features.

    Features: global average pool of ``stage``, L2-normalised; images
    resized (short side ``resize``, ``interpolation``) and centre-cropped
    (``crop``), DINO's evaluation transform.

    Args:
        backbone (nn.Module): Frozen backbone.
        data_root (str): Labelled data (see
            :class:`~mmpixpro.evaluation.ClsDataset`).
        ks (Sequence[int]): Neighbour counts k. Defaults to (20, 200).
        temperature (float): T. Defaults to 0.07.
        stage (str): Feature stage. Defaults to ``'C5'``.
        resize (int): Short side. Defaults to 256.
        crop (int): Centre crop. Defaults to 224.
        interpolation (str): Defaults to ``'bicubic'`` (DINO).
        train_split (str): Train folder. Defaults to ``'train'``.
        val_split (str): Evaluated folder. Defaults to ``'val'``.
        train_ann_file (str, optional): mmpretrain annotation file.
        val_ann_file (str, optional): mmpretrain annotation file.
        batch_size (int): Images per forward. Defaults to 64.
        query_chunk (int): Test features per search block.
        train_chunk (int): Train features per search block.

    Returns:
        ProtocolResult: ``top1@k20``, ``top5@k20``, ``top1@k200``,
        ``top5@k200`` in percent (no top-5 under 5 classes); ``extra``
        has the set sizes, the k used (k > N uses N) and the memory bound.
    """
    settings = dict(
        ks=list(ks), temperature=temperature, stage=stage, pool='avg',
        normalise='l2', resize=resize, crop=crop,
        interpolation=interpolation, train_split=train_split,
        val_split=val_split, train_ann_file=train_ann_file,
        val_ann_file=val_ann_file, batch_size=batch_size,
        query_chunk=query_chunk, train_chunk=train_chunk)
    start = time.perf_counter()
    feats = split_features(
        backbone, data_root,
        dict(train_split=train_split, val_split=val_split,
             train_ann_file=train_ann_file, val_ann_file=val_ann_file,
             resize=resize, crop=crop, interpolation=interpolation),
        stage, batch_size, normalise=True)
    metrics: Dict[str, float] = {}
    topk = (1, 5) if feats.num_classes >= 5 else (1, )
    for k in ks:
        scores = knn_class_scores(feats.train, feats.train_labels,
                                  feats.val, feats.num_classes, k,
                                  temperature, query_chunk, train_chunk)
        for top, acc in topk_accuracy(scores, feats.val_labels,
                                      topk).items():
            metrics[f'top{top}@k{k}'] = acc
    extra = dict(
        feats.sizes(),
        k_used={str(k): min(k, len(feats.train)) for k in ks},
        bank_bytes=feats.train.numel() * 4,
        search_bytes=search_bytes(query_chunk, train_chunk, max(ks)))
    return ProtocolResult('knn-cls', metrics, settings, data_root,
                          time.perf_counter() - start, extra)
