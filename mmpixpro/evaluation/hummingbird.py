# Copyright (c) mmpixpro contributors. All rights reserved.
"""Hummingbird in-context dense retrieval, registered as the evaluation
protocol ``hummingbird``.

Balazevic et al., "Towards In-context Scene Understanding", NeurIPS 2023
(https://arxiv.org/abs/2306.01667), with the settings of the open
reproduction open-hummingbird-eval (https://github.com/vpariza/
open-hummingbird-eval): no training, every test patch is labelled from its
k nearest patches in a memory bank of training patches.

1. **Memory bank.** Each training image (``augmentation_epochs`` passes,
   each a random resized crop of scale (0.5, 2.0) and colour jitter as
   theirs) gives its patch features f_p (one feature-map position each) and
   their label distributions y_p (class fractions of the pixels the patch
   covers; ignored pixels count as class 0 there, as theirs, or are left
   out with ``bank_ignore='skip'``). With a memory size M, each image
   keeps ``M // (N * epochs)`` patches (N training images): patch p of an
   image scores ``u_p * sum_{c in p} n_c`` with n_c
   the number of the image's patches holding class c and u_p ~ U(0, 1), and
   the lowest scores are kept (rare classes first, as theirs).
2. **Retrieval.** A test patch q takes its k = 30 nearest bank patches by
   cosine similarity s_i, weighted by ``softmax(s_i / beta)`` over those k
   with beta = 0.02; its label distribution is ``sum_i w_i y_i``.
3. **Prediction.** The distributions are upsampled bilinearly to the mask
   and the arg-max class is scored by mIoU over the labelled pixels.

The search is an approximate faiss index when ``faiss`` is importable
(``faiss-cpu``, optional: ``requirements/optional.txt``): an inverted file
of 512 lists searched in 32, the partition of their default ScaNN tree;
else an exact search by torch top-k over chunks of the bank, whose
similarity blocks are at most ``query_chunk x bank_chunk``.

Deviations from open-hummingbird-eval: the bank holds exactly the sampled
patches (theirs pads a bank of M rows with zero rows when M is not a
multiple of the per-image share); a per-image share larger than the feature
grid is cut to the grid (theirs fails); mIoU is taken with each predicted
id as its class and classes absent from both prediction and ground truth
left out (theirs matches ids to classes by Hungarian assignment and counts
such classes as 0); the backbone is a ResNet read at a stage (C4: stride
16, the grid of their ViT-/16 at the same input size).
"""
import resource
import time
from dataclasses import asdict, dataclass, fields
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import EVAL_PROTOCOLS
from .dense_dataset import DenseSegDataset, resize_pair
from .frozen_backbone import extract_features
from .knn_classifier import search_bytes, top_k_neighbours
from .knn_readout import knn_predict, patch_label_histograms
from .metrics import IGNORE_INDEX, confusion_matrix, segmentation_scores
from .protocols import ProtocolResult

# 1024 x 10^2: the memory size of open-hummingbird-eval's ready-to-use
# command (its README also reports 1024 x 10^3 and 1024 x 10^4)
DEFAULT_MEMORY_SIZE = 1024 * 10**2


@dataclass
class HummingbirdConfig:
    """Settings of :func:`hummingbird_protocol` (defaults: theirs).

    Args:
        memory_size (int, optional): Bank size M, ``1024 x 10^k`` in the
            reference (None: every training patch).
        num_neighbours (int): Neighbours k per test patch.
        temperature (float): Softmax temperature beta of the similarities.
        img_size (int): Square side of train crops and test images (their
            VOC results: 512).
        stage (str): ResNet stage read (``'C4'``: stride 16).
        augmentation_epochs (int): Passes over the training set.
        augment (bool): Random resized crop (scale 0.5-2.0) and colour
            jitter (0.1 each, p = 0.5 each) of the training images.
        min_scale (float): Smallest crop scale of the augmentation.
        max_scale (float): Largest crop scale of the augmentation.
        layout (str): :class:`DenseSegDataset` layout.
        train_split (str): Split of the memory bank (VOC: ``trainaug``).
        test_split (str): Split scored (VOC: ``val``).
        ignore_index (int): Unlabelled id of the masks.
        bank_ignore (str): What unlabelled pixels are in the bank's patch
            distributions: ``'class0'`` (theirs, whatever the data set:
            right for VOC, whose class 0 is the background) or ``'skip'``
            (left out; for sets whose class 0 is a real class, such as
            Cityscapes' road or ADE20K's wall).
        index (str): ``'auto'`` (faiss if importable, else exact),
            ``'faiss'`` or ``'exact'``.
        nlist (int): Inverted lists of the faiss index.
        nprobe (int): Lists searched per query.
        bank_chunk (int): Bank rows per similarity block (exact search).
        query_chunk (int): Queries per similarity block.
        batch_size (int): Images per forward.
        seed (int): Seed of the augmentation and the sampling.
    """
    memory_size: Optional[int] = DEFAULT_MEMORY_SIZE
    num_neighbours: int = 30
    temperature: float = 0.02
    img_size: int = 512
    stage: str = 'C4'
    augmentation_epochs: int = 1
    augment: bool = True
    min_scale: float = 0.5
    max_scale: float = 2.0
    layout: str = 'voc'
    train_split: str = 'train'
    test_split: str = 'test'
    ignore_index: int = IGNORE_INDEX
    bank_ignore: str = 'class0'
    index: str = 'auto'
    nlist: int = 512
    nprobe: int = 32
    bank_chunk: int = 16384
    query_chunk: int = 1024
    batch_size: int = 16
    seed: int = 0

    @classmethod
    def from_any(cls, cfg: Union['HummingbirdConfig', Mapping, None]
                 ) -> 'HummingbirdConfig':
        """A config, a dict of its fields or None (defaults).

        Raises:
            ValueError: An unknown setting (the message lists the known).
        """
        if isinstance(cfg, cls):
            return cfg
        cfg = dict(cfg or {})
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(cfg) - set(known))
        if unknown:
            raise ValueError(f'unknown hummingbird settings {unknown}; '
                             f'known: {", ".join(known)}')
        if cfg.get('index', 'auto') not in ('auto', 'faiss', 'exact'):
            raise ValueError(f'index must be auto, faiss or exact, got '
                             f'{cfg["index"]!r}')
        if cfg.get('bank_ignore', 'class0') not in ('class0', 'skip'):
            raise ValueError(f'bank_ignore must be class0 or skip, got '
                             f'{cfg["bank_ignore"]!r}')
        return cls(**cfg)


def per_image_share(memory_size: Optional[int], num_images: int,
                    epochs: int, num_patches: int) -> int:
    """Patches kept per image: ``M // (N * epochs)``, at most the grid.

    Args:
        memory_size (int, optional): Bank size M (None: all patches).
        num_images (int): Training images N.
        epochs (int): Augmentation epochs.
        num_patches (int): Patches h * w of one image.

    Returns:
        int: The share, >= 1.
    """
    if memory_size is None:
        return num_patches
    share = memory_size // (num_images * epochs)
    if share < 1:
        raise ValueError(f'memory_size {memory_size} is smaller than '
                         f'{num_images} images x {epochs} epochs')
    return min(share, num_patches)


def sample_patches(hist: Tensor, share: int,
                   generator: Optional[torch.Generator] = None) -> Tensor:
    """Pick ``share`` patches per image, rare classes first.

    Patch p scores ``u_p * sum_{c in p} n_c`` (n_c: patches of the same
    image that hold class c, u_p ~ U(0, 1)); the ``share`` lowest win, and
    patches without a labelled pixel only after all others.

    Args:
        hist (Tensor): (n, K, h, w) patch label distributions.
        share (int): Patches kept per image.
        generator (torch.Generator, optional): Source of u_p.

    Returns:
        Tensor: (n, share) int64 indices into the h * w patches.
    """
    present = hist.flatten(2) > 0  # (n, K, hw)
    freq = present.sum(2, keepdim=True)  # (n, K, 1) n_c
    score = (present * freq).sum(1).double()  # (n, hw)
    score *= torch.rand(score.shape, generator=generator,
                        dtype=torch.float64)
    # a patch without labelled pixels comes last (theirs: a score of 1e6)
    score.masked_fill_(~present.any(1), float('inf'))
    return score.topk(share, dim=1, largest=False).indices


def augment_pair(image: np.ndarray, label: np.ndarray, size: int,
                 scale: Tuple[float, float]) -> Tuple[np.ndarray, np.ndarray]:
    """Colour jitter of the image, then a random resized crop of both.

    Uses torch's global random state (call inside ``fork_rng``).

    Args:
        image (np.ndarray): (H, W, 3) uint8.
        label (np.ndarray): (H, W) int64.
        size (int): Output side.
        scale (tuple[float, float]): Crop area range, fraction of the image.

    Returns:
        tuple[np.ndarray, np.ndarray]: (size, size, 3) and (size, size).
    """
    from PIL import Image
    from torchvision import transforms as T
    img = Image.fromarray(image)
    # theirs: the image's jitter first, then the crop shared with the mask
    for jitter in (T.ColorJitter(brightness=0.1), T.ColorJitter(contrast=0.1),
                   T.ColorJitter(saturation=0.1), T.ColorJitter(hue=0.1)):
        if torch.rand(1).item() <= 0.5:
            img = jitter(img)
    top, left, h, w = T.RandomResizedCrop.get_params(img, scale,
                                                     (3 / 4, 4 / 3))
    box = (left, top, left + w, top + h)
    img = img.crop(box).resize((size, size), Image.Resampling.BILINEAR)
    lab = Image.fromarray(label.astype(np.int32)).crop(box).resize(
        (size, size), Image.Resampling.NEAREST)
    return np.asarray(img), np.asarray(lab).astype(np.int64)


@torch.no_grad()
def build_memory(backbone: nn.Module, dataset: Sequence, num_classes: int,
                 cfg: HummingbirdConfig,
                 stats: Optional[dict] = None) -> Tuple[Tensor, Tensor]:
    """The memory bank: sampled, L2-normalised patch features and labels.

    Features are computed a batch at a time and only the sampled patches
    are kept, in a bank allocated once: memory is the bank plus one batch.

    Args:
        backbone (nn.Module): Frozen backbone (see
            :func:`~mmpixpro.evaluation.extract_features`).
        dataset (Sequence): ``(image, label)`` pairs (any size).
        num_classes (int): Classes K.
        cfg (HummingbirdConfig): Settings.
        stats (dict, optional): Filled with ``per_image``, ``bank_size``,
            ``bank_bytes`` and ``grid``.

    Returns:
        tuple[Tensor, Tensor]: Keys (B, C) unit vectors and values (B, K)
        label distributions, B = per-image share x images x epochs.
    """
    n, bs = len(dataset), cfg.batch_size
    keys = values = None
    row = 0
    with torch.random.fork_rng():
        torch.manual_seed(cfg.seed)
        for _ in range(cfg.augmentation_epochs):
            for start in range(0, n, bs):
                pairs = [dataset[i] for i in range(start, min(start + bs, n))]
                if cfg.augment:
                    pairs = [augment_pair(img, lab, cfg.img_size,
                                          (cfg.min_scale, cfg.max_scale))
                             for img, lab in pairs]
                else:
                    pairs = [resize_pair(img, lab, cfg.img_size)
                             for img, lab in pairs]
                feats = extract_features(backbone, [p[0] for p in pairs],
                                         cfg.stage, bs)  # (b, C, h, w)
                labels = torch.from_numpy(np.stack([p[1] for p in pairs]))
                if cfg.bank_ignore == 'class0':  # theirs
                    labels = labels.masked_fill(
                        labels == cfg.ignore_index, 0)
                hist = patch_label_histograms(
                    labels, feats.shape[-2:], num_classes,
                    cfg.ignore_index)  # (b, K, h, w)
                b, c, h, w = feats.shape
                share = per_image_share(cfg.memory_size, n,
                                        cfg.augmentation_epochs, h * w)
                if keys is None:
                    size = share * n * cfg.augmentation_epochs
                    keys = torch.empty(size, c)
                    values = torch.empty(size, num_classes)
                idx = sample_patches(hist, share)  # (b, share)
                f = feats.flatten(2).transpose(1, 2)  # (b, hw, C)
                y = hist.flatten(2).transpose(1, 2)  # (b, hw, K)
                f = f.gather(1, idx[..., None].expand(-1, -1, c))
                y = y.gather(1, idx[..., None].expand(-1, -1, num_classes))
                keys[row:row + b * share] = F.normalize(
                    f.reshape(-1, c), dim=1)
                values[row:row + b * share] = y.reshape(-1, num_classes)
                row += b * share
    if stats is not None:
        stats.update(per_image=share, bank_size=row, grid=[h, w],
                     bank_bytes=keys.nbytes + values.nbytes)
    return keys[:row], values[:row]


def chunked_topk(queries: Tensor, keys: Tensor, k: int,
                 bank_chunk: int = 16384, query_chunk: int = 1024,
                 stats: Optional[dict] = None) -> Tuple[Tensor, Tensor]:
    """Exact top-k inner products, bank and queries taken in chunks.

    Blocks of ``query_chunk`` queries go through
    :func:`~mmpixpro.evaluation.knn_classifier.top_k_neighbours` (a running
    top-k over ``bank_chunk`` rows at a time), so no block larger than
    ``query_chunk x bank_chunk`` similarities is made, whatever the bank
    size.

    Args:
        queries (Tensor): (Q, C).
        keys (Tensor): (P, C).
        k (int): Neighbours (at most P).
        bank_chunk (int): Bank rows per block.
        query_chunk (int): Queries per block.
        stats (dict, optional): ``max_block`` (elements of the largest
            similarity block made) is recorded here.

    Returns:
        tuple[Tensor, Tensor]: Similarities (Q, k), descending, and bank
        indices (Q, k).
    """
    k = min(k, len(keys))
    sims, idxs, max_block = [], [], 0
    for qs in range(0, len(queries), query_chunk):
        q = queries[qs:qs + query_chunk]
        max_block = max(max_block, len(q) * min(bank_chunk, len(keys)))
        sim, idx = top_k_neighbours(keys, q, k, bank_chunk)
        sims.append(sim)
        idxs.append(idx)
    if stats is not None:
        stats['max_block'] = max(stats.get('max_block', 0), max_block)
    return torch.cat(sims), torch.cat(idxs)


class PatchIndex:
    """Nearest bank patches by inner product (cosine on unit vectors).

    Args:
        keys (Tensor): (P, C) unit vectors.
        cfg (HummingbirdConfig): ``index``, ``nlist``, ``nprobe``,
            ``bank_chunk``, ``query_chunk``.

    Attributes:
        name (str): ``'exact'``, ``'faiss-flat'`` (a bank too small to
            train ``nlist`` lists: under 39 points a list) or
            ``'faiss-ivf<nlist>-probe<nprobe>'``.
        stats (dict): ``max_block`` of the exact search.
    """

    def __init__(self, keys: Tensor, cfg: HummingbirdConfig) -> None:
        self.cfg, self.stats = cfg, {}
        faiss = None
        if cfg.index in ('auto', 'faiss'):
            try:
                import faiss
            except ImportError:
                if cfg.index == 'faiss':
                    raise ImportError('index=faiss needs faiss-cpu (pip '
                                      'install faiss-cpu)') from None
        if faiss is None:
            self.name, self.keys = 'exact', keys
            return
        x = np.ascontiguousarray(keys.numpy(), dtype=np.float32)
        # the IVF index refers to its quantizer: keep both alive
        self.quantizer = faiss.IndexFlatIP(x.shape[1])
        if len(x) >= 39 * cfg.nlist:
            self.index = faiss.IndexIVFFlat(self.quantizer, x.shape[1],
                                            cfg.nlist,
                                            faiss.METRIC_INNER_PRODUCT)
            self.index.train(x)
            self.index.nprobe = cfg.nprobe
            self.name = f'faiss-ivf{cfg.nlist}-probe{cfg.nprobe}'
        else:
            self.index, self.name = self.quantizer, 'faiss-flat'
        self.index.add(x)
        self.keys = None

    def search(self, queries: Tensor, k: int) -> Tuple[Tensor, Tensor]:
        """The k nearest bank rows of unit-vector queries.

        Args:
            queries (Tensor): (Q, C) unit vectors.
            k (int): Neighbours.

        Returns:
            tuple[Tensor, Tensor]: Similarities (Q, k) and indices (Q, k);
            an index of -1 (fewer than k found) has similarity -inf.
        """
        if self.keys is not None:
            return chunked_topk(queries, self.keys, k, self.cfg.bank_chunk,
                                self.cfg.query_chunk, self.stats)
        sims, idxs = [], []
        for qs in range(0, len(queries), self.cfg.query_chunk):
            q = np.ascontiguousarray(
                queries[qs:qs + self.cfg.query_chunk].numpy(), np.float32)
            s, i = self.index.search(q, k)
            sims.append(torch.from_numpy(s))
            idxs.append(torch.from_numpy(i).long())
        sim, idx = torch.cat(sims), torch.cat(idxs)
        return sim.masked_fill(idx < 0, float('-inf')), idx


def retrieve_labels(sim: Tensor, idx: Tensor, values: Tensor,
                    temperature: float) -> Tensor:
    """Label distributions of queries from their neighbours.

    Args:
        sim (Tensor): (Q, k) cosine similarities s_i.
        idx (Tensor): (Q, k) bank indices (-1: none).
        values (Tensor): (P, K) bank label distributions y_i.
        temperature (float): beta.

    Returns:
        Tensor: (Q, K) ``sum_i softmax(s / beta)_i y_i``.
    """
    weight = torch.softmax(sim / temperature, dim=1)  # (Q, k)
    return (weight.unsqueeze(-1) * values[idx.clamp_min(0)]).sum(1)


@torch.no_grad()
def hummingbird_scores(backbone: nn.Module, index: PatchIndex,
                       values: Tensor, test: Sequence, num_classes: int,
                       cfg: HummingbirdConfig) -> Dict[str, object]:
    """Score the test split by retrieval, one batch of images at a time.

    Args:
        backbone (nn.Module): Frozen backbone.
        index (PatchIndex): Search over the bank keys.
        values (Tensor): (P, K) bank label distributions.
        test (Sequence): ``(image, label)`` pairs, all ``img_size``.
        num_classes (int): Classes K.
        cfg (HummingbirdConfig): Settings.

    Returns:
        dict: :func:`~mmpixpro.evaluation.segmentation_scores` of the split.
    """
    conf = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for start in range(0, len(test), cfg.batch_size):
        pairs = [test[i] for i in
                 range(start, min(start + cfg.batch_size, len(test)))]
        feats = extract_features(backbone, [p[0] for p in pairs], cfg.stage,
                                 cfg.batch_size)  # (b, C, h, w)
        labels = torch.from_numpy(np.stack([p[1] for p in pairs]))
        b, c, h, w = feats.shape
        queries = F.normalize(feats.permute(0, 2, 3, 1).reshape(-1, c), dim=1)
        sim, idx = index.search(queries, cfg.num_neighbours)
        label_hat = retrieve_labels(sim, idx, values, cfg.temperature)
        label_hat = label_hat.reshape(b, h, w, num_classes).permute(
            0, 3, 1, 2)
        pred = knn_predict(label_hat, labels.shape[-2:])
        conf += confusion_matrix(pred, labels, num_classes, cfg.ignore_index)
    return segmentation_scores(conf)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@EVAL_PROTOCOLS.register_module(name='hummingbird')
def hummingbird_protocol(backbone: nn.Module, data_root: str,
                         **settings) -> ProtocolResult:
    """Hummingbird in-context dense retrieval mIoU of a frozen backbone.

    See the module docstring for the method and
    :class:`HummingbirdConfig` for the settings (defaults:
    open-hummingbird-eval's: M = 1024 x 10^2, k = 30, beta = 0.02, 512 px).

    Args:
        backbone (nn.Module): Frozen backbone.
        data_root (str): Labelled set (``layout``: VOC or Cityscapes).
        **settings: :class:`HummingbirdConfig` fields.

    Returns:
        ProtocolResult: ``mIoU`` (percent); settings with ``index`` as
        resolved; extra: per-class ``IoU``, ``pixel_acc``, ``bank_size``,
        ``per_image``, ``bank_bytes``, ``max_block`` (similarities per
        block of the exact search), ``search_bytes`` (its bound in bytes),
        ``peak_rss_mib`` and ``seconds`` (bank, index, retrieval).
    """
    cfg = HummingbirdConfig.from_any(settings)
    t0 = time.perf_counter()
    train = DenseSegDataset(data_root, cfg.train_split, cfg.layout,
                            None if cfg.augment else cfg.img_size)
    test = DenseSegDataset(data_root, cfg.test_split, cfg.layout,
                           cfg.img_size, train.classes)
    stats: dict = {}
    keys, values = build_memory(backbone, train, train.num_classes, cfg,
                                stats)
    t1 = time.perf_counter()
    index = PatchIndex(keys, cfg)
    del keys  # the exact index keeps a reference; faiss holds its copy
    t2 = time.perf_counter()
    scores = hummingbird_scores(backbone, index, values, test,
                                train.num_classes, cfg)
    t3 = time.perf_counter()
    used = asdict(cfg)
    used['index'] = index.name
    return ProtocolResult(
        protocol='hummingbird',
        metrics={'mIoU': 100 * scores['mIoU']},
        settings=used, data=data_root, seconds=t3 - t0,
        extra=dict(IoU=scores['IoU'], pixel_acc=scores['pixel_acc'],
                   classes=list(train.classes), num_train=len(train),
                   num_test=len(test), max_block=index.stats.get('max_block'),
                   search_bytes=search_bytes(cfg.query_chunk, cfg.bank_chunk,
                                             cfg.num_neighbours),
                   peak_rss_mib=peak_rss_mib(),
                   seconds=dict(bank=t1 - t0, index=t2 - t1,
                                retrieval=t3 - t2), **stats))


hummingbird_protocol.default_settings = asdict(HummingbirdConfig())
