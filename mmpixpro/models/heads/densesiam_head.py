# Copyright (c) mmpixpro contributors. All rights reserved.
"""DenseSiam's dense head: pixel and region consistency in the overlap."""
from typing import Dict, Tuple

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils import build_pixel_mlp, overlap_boxes, sample_overlap


def build_vector_mlp(in_channels: int, hid_channels: int, out_channels: int,
                     num_layers: int, last_bn: bool) -> nn.Sequential:
    """Linear-BN-ReLU layers, a last Linear and optionally a last BN.

    Args:
        in_channels (int): Input width.
        hid_channels (int): Hidden width.
        out_channels (int): Output width.
        num_layers (int): Linear layers (>= 1).
        last_bn (bool): End with a BN without affine parameters (SimSiam's
            projector) and no bias on the last Linear; else the last Linear
            has a bias (SimSiam's predictor).

    Returns:
        nn.Sequential: The MLP on (B, in_channels) inputs.
    """
    widths = [in_channels] + [hid_channels] * (num_layers - 1) + [
        out_channels
    ]
    layers = []
    for i in range(num_layers - 1):
        layers += [
            nn.Linear(widths[i], widths[i + 1], bias=False),
            nn.BatchNorm1d(widths[i + 1]),
            nn.ReLU(inplace=True)
        ]
    layers.append(nn.Linear(widths[-2], widths[-1], bias=not last_bn))
    if last_bn:
        layers.append(nn.BatchNorm1d(widths[-1], affine=False))
    return nn.Sequential(*layers)


@MODELS.register_module()
class DenseSiamHead(BaseModule):
    """PixSim and RegionSim of DenseSiam on two views' feature maps.

    `Dense Siamese Network for Dense Unsupervised Learning
    <https://arxiv.org/abs/2203.11075>`_.

    1. Both maps are sampled at the same ``S x S`` points of the original
       image inside the overlap of the two crops
       (:func:`mmpixpro.models.utils.sample_overlap`):
       ``f_1, f_2`` of shape (N, C, S, S), entry ``(i, j)`` the same point.
    2. PixSim: a per-pixel projector ``g`` (1x1 convs, last BN without
       affine) and predictor ``h`` give ``z_v = g(f_v)`` (N, K, S, S) and
       ``p_v = h(z_v)``; with ``D(p, z) = -cos(p, z)`` at each point,

           ``L_pix = 0.5 D(p_1, sg(z_2)) + 0.5 D(p_2, sg(z_1))``

       averaged over the points of the images that overlap (``sg``: stop-
       gradient), through mmpretrain's ``CosineSimilarityLoss``.
    3. RegionSim (the authors' ``kernel_contrast``): the softmax over the K
       channels of ``z_v`` gives K soft region masks ``m_v`` (N, K, S, S);
       region embeddings ``r_v[k] = sum_ij m_v[k, i, j] f_v[:, i, j]``
       (N, K, C) go through a region projector ``g_r`` and predictor ``h_r``,
       and ``L_region = 0.5 l(h_r(g_r(r_1)), g_r(r_2)) + 0.5 l(h_r(g_r(r_2)),
       g_r(r_1))`` with ``l`` the :class:`RegionContrastLoss` (InfoNCE of
       region k against the K regions of the same image, T = 0.1).

    Images whose views do not overlap contribute 0 to both terms (they
    still pass through the BN layers).

    Args:
        in_channels (int): ``C``, channels of the sampled feature maps.
        num_regions (int): ``K``, output channels of the pixel projector,
            i.e. the number of soft regions.
        pix_hid_channels (int): Hidden width of ``g`` and ``h``.
        region_channels (int): Output width of ``g_r`` and ``h_r``.
        region_hid_channels (int): Hidden width of ``h_r`` (``g_r``'s is
            ``region_channels``).
        grid_size (int): ``S``, points per side of the overlap grid.
            Defaults to 7.
        num_proj_layers (int): 1x1 convs of ``g``. Defaults to 2.
        num_region_proj_layers (int): Linear layers of ``g_r``. Defaults to
            3 (the authors' ``num_kernel_proj_convs=2`` plus the last).
        pixel_loss (dict): The ``D`` loss. Defaults to mmpretrain's
            ``CosineSimilarityLoss`` (``-cos``).
        region_loss (dict): The ``l`` loss. Defaults to
            :class:`RegionContrastLoss` (T = 0.1).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_regions: int,
                 pix_hid_channels: int,
                 region_channels: int,
                 region_hid_channels: int,
                 grid_size: int = 7,
                 num_proj_layers: int = 2,
                 num_region_proj_layers: int = 3,
                 pixel_loss: dict = dict(type='CosineSimilarityLoss'),
                 region_loss: dict = dict(type='RegionContrastLoss'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.grid_size = grid_size
        self.projector = nn.Sequential(
            build_pixel_mlp(in_channels, num_regions, pix_hid_channels,
                            num_proj_layers),
            nn.BatchNorm2d(num_regions, affine=False))
        self.predictor = build_pixel_mlp(num_regions, num_regions,
                                         pix_hid_channels, 2)
        self.region_projector = build_vector_mlp(in_channels,
                                                 region_channels,
                                                 region_channels,
                                                 num_region_proj_layers,
                                                 last_bn=True)
        self.region_predictor = build_vector_mlp(region_channels,
                                                 region_hid_channels,
                                                 region_channels, 2,
                                                 last_bn=False)
        self.pixel_loss = MODELS.build(pixel_loss)
        self.region_loss = MODELS.build(region_loss)

    def sample(self, feat_1: Tensor, feat_2: Tensor, boxes_1: Tensor,
               boxes_2: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """``f_1, f_2`` at the overlap's grid points, and the overlap mask.

        Args:
            feat_1 (Tensor): View 1's map (N, C, H_1, W_1).
            feat_2 (Tensor): View 2's map (N, C, H_2, W_2).
            boxes_1 (Tensor): View 1's crop boxes (N, 4).
            boxes_2 (Tensor): View 2's crop boxes (N, 4).

        Returns:
            tuple[Tensor, Tensor, Tensor]: ``f_1`` and ``f_2`` (N, C, S, S)
            and the (N, ) float mask of the images whose views overlap.
        """
        overlap, valid = overlap_boxes(boxes_1, boxes_2)
        f_1 = sample_overlap(feat_1, boxes_1, overlap, self.grid_size)
        f_2 = sample_overlap(feat_2, boxes_2, overlap, self.grid_size)
        return f_1, f_2, valid

    def pixel_term(self, p_1: Tensor, z_1: Tensor, p_2: Tensor, z_2: Tensor,
                   valid: Tensor) -> Tensor:
        """``L_pix = 0.5 D(p_1, sg(z_2)) + 0.5 D(p_2, sg(z_1))``.

        Args:
            p_1 (Tensor): Predictions of view 1, (N, K, S, S).
            z_1 (Tensor): Projections of view 1, (N, K, S, S).
            p_2 (Tensor): Predictions of view 2, (N, K, S, S).
            z_2 (Tensor): Projections of view 2, (N, K, S, S).
            valid (Tensor): (N, ) overlap mask.

        Returns:
            Tensor: The scalar loss (0 when no image overlaps).
        """
        num_points = p_1.shape[2] * p_1.shape[3]
        mask = valid[:, None].expand(-1, num_points).reshape(-1)
        if mask.sum() == 0:
            return (p_1.sum() + p_2.sum()) * 0.

        def points(x: Tensor) -> Tensor:  # (N, K, S, S) -> (N * S * S, K)
            return x.flatten(2).transpose(1, 2).reshape(-1, x.shape[1])

        return 0.5 * (
            self.pixel_loss(points(p_1), points(z_2.detach()), mask) +
            self.pixel_loss(points(p_2), points(z_1.detach()), mask))

    def regions(self, f: Tensor, z: Tensor) -> Tuple[Tensor, Tensor]:
        """Region projections and predictions of one view.

        Args:
            f (Tensor): Sampled features (N, C, S, S).
            z (Tensor): Pixel projections (N, K, S, S), whose channel
                softmax gives the K soft masks.

        Returns:
            tuple[Tensor, Tensor]: ``g_r(r)`` and ``h_r(g_r(r))``, each
            (N, K, D).
        """
        masks = z.softmax(dim=1)  # (N, K, S, S)
        r = torch.einsum('nkhw,nchw->nkc', masks, f)  # (N, K, C)
        n, k = r.shape[:2]
        z_r = self.region_projector(r.reshape(n * k, -1))
        p_r = self.region_predictor(z_r)
        return z_r.reshape(n, k, -1), p_r.reshape(n, k, -1)

    def loss(self, feat_1: Tensor, feat_2: Tensor, boxes_1: Tensor,
             boxes_2: Tensor) -> Dict[str, Tensor]:
        """``L_pix`` and ``L_region`` of two views.

        Args:
            feat_1 (Tensor): View 1's map (N, C, H_1, W_1).
            feat_2 (Tensor): View 2's map (N, C, H_2, W_2).
            boxes_1 (Tensor): View 1's crop boxes (N, 4).
            boxes_2 (Tensor): View 2's crop boxes (N, 4).

        Returns:
            dict[str, Tensor]: ``pix`` and ``region``, unweighted.
        """
        f_1, f_2, valid = self.sample(feat_1, feat_2, boxes_1, boxes_2)
        z_1, z_2 = self.projector(f_1), self.projector(f_2)
        p_1, p_2 = self.predictor(z_1), self.predictor(z_2)
        pix = self.pixel_term(p_1, z_1, p_2, z_2, valid)
        zr_1, pr_1 = self.regions(f_1, z_1)
        zr_2, pr_2 = self.regions(f_2, z_2)
        region = 0.5 * (self.region_loss(pr_1, zr_2, valid) +
                        self.region_loss(pr_2, zr_1, valid))
        return dict(pix=pix, region=region)
