# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample
from torch import Tensor

from mmpixpro.registry import MODELS
from ..utils.kmeans import kmeans
from ..utils.region_masks import cut_masks, masked_average_pool, one_hot_masks
from .momentum_baselines import MomentumCopyMixin
from .pixpro import PixPro

# K above this: no k-means, every superpixel is its own region (authors)
MAX_CLUSTERS = 128


@MODELS.register_module()
class R2O(MomentumCopyMixin, BaseSelfSupervisor):
    """R2O: Region-to-Object representation learning.

    `Refine and Represent: Region-to-Object Representation Learning
    <https://arxiv.org/abs/2208.11821>`_ (Gokul, Kallidromitis et al.).

    Wiring only. Three views: two augmented crops (views 0 and 1) and the
    whole image (view 2, :class:`FullImageWithBox`) with its SLIC
    superpixels (:class:`SLICSuperpixels`, the data sample's
    ``superpixels``). Per iteration:

    1. Masks (no gradient, before the EMA step): the momentum copy's
       backbone ("mask network") encodes view 2; its ``mask_level`` map
       (ResNet ``layer3``, ``c4``: 14 x 14 at 224 px) is averaged inside
       every superpixel (:func:`masked_average_pool`, superpixels resized
       bilinearly to the map), the L2-normalised superpixel vectors of the
       whole batch are clustered by k-means into ``K`` clusters, and every
       superpixel takes its cluster: K binary object masks on a
       ``mask_size`` (56 x 56) grid of the full image. K follows a
       schedule set by :class:`mmpixpro.engine.R2OClusterHook` from the
       Runner's epoch (128 -> 4); above 128 no clustering, the
       superpixels are the masks.
    2. The masks are cut into each crop through its crop box (flip-aware
       RoIAlign, :func:`cut_masks`) at the size of the crop's feature map.
    3. Online: backbone of views 0 and 1 as one batch, features pooled in
       each mask (:func:`masked_average_pool`), projector (neck),
       predictor (head).
       Target (momentum copy, after its EMA step): views 1 and 0, pooled in
       the masks of their own crops, projector. The head's
       :class:`MaskedBYOLLoss` regresses ``q`` of (image, mask k, view a)
       onto ``z'`` of (image, mask k, the other view) over the masks present
       in both crops.

    The momentum ``tau`` of the copy is BYOL's (``MomentumHook``, cosine
    from ``base_momentum`` 0.99 to 1). The backbone must return the map of
    ``mask_level`` and the last map (e.g. ResNet ``out_indices=(2, 3)``).
    The projector and predictor are MLPs on rows (Linear, BN over all B * K
    rows, ReLU, Linear; mmpretrain's ``NonLinearNeck`` without pooling),
    as the authors': every mask row goes through them, empty ones included.

    Deviations from the authors' code (see ``configs/r2o/README.md``):
    superpixels absent from an image are not clustered (the authors cluster
    their zero vectors); the 56 x 56 cluster map takes, per cell, the
    cluster of largest bilinear weight (the authors sum weight x cluster
    index and truncate, which mixes indices on superpixel borders); k-means
    draws come from a generator seeded from the iteration (exact resume).

    Args:
        backbone (dict): Backbone config (returns ``mask_level`` and last).
        neck (dict): Projector config (rows in, rows out).
        head (dict): :class:`MaskBYOLHead` config.
        base_momentum (float): ``tau_0`` of the momentum copy. Defaults to
            0.99.
        mask_level (int): Index in the backbone's outputs of the map the
            mask network clusters. Defaults to 0.
        mask_size (int): Side of the full-image mask grid. Defaults to 56.
        num_clusters (int): K until the hook sets it. Defaults to 128.
        kmeans_iters (int): Most Lloyd iterations. Defaults to 200.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    copy_name = 'target_net'
    default_momentum = 0.99
    upstream_momentum_arg = None
    # two crops and the full image, in this order
    supported_views = dict(num_views=3)

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.99,
                 mask_level: int = 0,
                 mask_size: int = 56,
                 num_clusters: int = MAX_CLUSTERS,
                 kmeans_iters: int = 200,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            base_momentum=base_momentum,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.mask_level = mask_level
        self.mask_size = mask_size
        self.num_clusters = num_clusters
        self.kmeans_iters = kmeans_iters
        # seed of this iteration's k-means draws (set by R2OClusterHook)
        self.kmeans_seed = 0

    def update_targets(self) -> None:
        """EMA step of the momentum copy with its current ``tau``."""
        self.target_net.update(self._online().parameters())

    @torch.no_grad()
    def object_masks(self, image: Tensor, superpixels: Tensor) -> Tensor:
        """K object masks of each full image (step 1 of the class doc).

        Args:
            image (Tensor): The full-image view, (N, 3, H, W).
            superpixels (Tensor): Its SLIC labels, (N, H, W), from 0.

        Returns:
            Tensor: Binary masks of shape (N, K', M, M), ``M = mask_size``;
            ``K' = K``, or the number of superpixel labels without
            clustering (K > 128).
        """
        superpixels = superpixels.long()
        num_sp = int(superpixels.max()) + 1
        n = image.shape[0]
        size = (self.mask_size, self.mask_size)
        sp_grid = one_hot_masks(superpixels, num_sp, size)  # (N,S,M,M)
        if self.num_clusters > MAX_CLUSTERS:
            # every superpixel is a region: one cluster per label
            labels = torch.arange(num_sp, device=image.device).repeat(n, 1)
            k = num_sp
        else:
            backbone = self.target_net.module[0]
            feats = backbone(image)[self.mask_level].float()  # (N,C,h,w)
            sp_feat = one_hot_masks(superpixels, num_sp, feats.shape[-2:])
            pooled = masked_average_pool(sp_feat, feats)  # (N, S, C)
            present = torch.zeros(
                n, num_sp, dtype=torch.bool, device=image.device)
            present.scatter_(1, superpixels.flatten(1), True)  # (N, S)
            points = F.normalize(pooled[present], dim=-1)  # (P, C)
            gen = torch.Generator(device=image.device)
            gen.manual_seed(int(self.kmeans_seed))
            k = self.num_clusters
            assigned, _ = kmeans(points, k, self.kmeans_iters, generator=gen)
            labels = torch.zeros(
                n, num_sp, dtype=torch.long, device=image.device)
            labels[present] = assigned
        # soft weight of every cluster in every cell, then the largest
        weights = torch.einsum('nshw,nsk->nkhw', sp_grid,
                               F.one_hot(labels, k).float())
        return one_hot_masks(weights.argmax(1), k)

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """The mask-pooled BYOL loss of R2O (see the class docstring).

        Args:
            inputs (list[Tensor]): The 3 views, each (N, 3, H, W): crop 0,
                crop 1, full image.
            data_samples (list[DataSample]): Each with ``crop_boxes`` (3, 4)
                and ``superpixels`` (H, W) of view 2; ``ori_shape`` in the
                metainfo is used when present (exact box edges).

        Returns:
            dict[str, Tensor]: ``loss``, and ``num_masks`` (mean number of
            masks shared by both crops, not a loss: no gradient).
        """
        views = [v for t in inputs
                 for v in (t.unbind(0) if t.dim() == 5 else (t, ))]
        if len(views) != 3:
            raise ValueError(f'R2O needs 3 views (2 crops, the full image), '
                             f'got {len(views)}')
        device = views[0].device
        boxes = PixPro.gather_boxes(data_samples, device)  # (N, 3, 4)
        superpixels = torch.stack(
            [torch.as_tensor(s.superpixels) for s in data_samples]).to(device)
        sizes = None
        if 'ori_shape' in data_samples[0].metainfo:
            sizes = torch.tensor([s.ori_shape[:2] for s in data_samples],
                                 device=device)

        masks = self.object_masks(views[2], superpixels)  # (N, K, M, M)

        feats = self.backbone(torch.cat(views[:2]))[-1]  # (2N, C, h, w)
        out_size = feats.shape[-2:]
        cut = [cut_masks(masks, boxes[:, v], out_size, sizes)
               for v in range(2)]  # each (N, K, h, w)
        area = [c.flatten(2).sum(-1) for c in cut]  # (N, K)
        shared = ((area[0] > 1e-3) & (area[1] > 1e-3)).float()  # (N, K)

        online = masked_average_pool(torch.cat(cut), feats)  # (2N, K, C)
        online = self.neck((online.flatten(0, 1), ))[0]  # (2N*K, D)

        self.update_targets()
        with torch.no_grad():
            t_backbone, t_neck = self.target_net.module
            t_feats = t_backbone(torch.cat([views[1], views[0]]))[-1]
            target = masked_average_pool(torch.cat([cut[1], cut[0]]), t_feats)
            target = t_neck((target.flatten(0, 1), ))[0]  # (2N*K, D)

        weight = shared.repeat(2, 1).flatten()  # (2N*K, )
        loss = self.head.loss(online, target, weight)
        return dict(loss=loss, num_masks=shared.sum(1).mean().detach())

    def extract_feat(self, inputs: List[Tensor],
                     data_samples: Optional[List[DataSample]] = None,
                     **kwargs) -> Tuple[Tensor, ...]:
        """Backbone features of the images (for probes and exports).

        Args:
            inputs (Tensor | list[Tensor]): Images (N, 3, H, W).
            data_samples (list[DataSample], optional): Unused.

        Returns:
            tuple[Tensor]: The backbone's outputs.
        """
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        return self.backbone(inputs)
