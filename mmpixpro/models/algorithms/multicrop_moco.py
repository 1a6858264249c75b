# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.models import BaseSelfSupervisor
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..data_preprocessors.multi_view_preprocessor import size_groups
from .momentum_baselines import MomentumCopyMixin


@MODELS.register_module()
class MultiCropMoCo(MomentumCopyMixin, BaseSelfSupervisor):
    """MoCo with constrained multi-crop and kNN positives ("Revisiting
    Contrastive SSL").

    `Revisiting Contrastive Methods for Unsupervised Learning of Visual
    Representations <https://arxiv.org/abs/2106.05967>`_ (Van Gansbeke et
    al., NeurIPS 2021), wired as the authors' ``builder_ours.py`` and
    ``main_ours.py``:

    - views: view 0 (large, 160 px) is the large query, view 1 (large) the
      key, views 2.. (4 small crops of 96 px, each with >= 10 % of its area
      inside the key crop: ``RandomResizedCropWithBox(ref_view=1,
      min_share=0.1)``) the small queries. The key view is never a query
      and the loss is not symmetrised: 1 + 4 queries against 1 key;
    - query encoder: backbone -> average pool -> MLP projector (MoCo v2's
      2048-2048-128 with ReLU, mmpretrain's ``MoCoV2Neck``); each size
      group of query views (view 0; the small views) runs as one forward
      pass, as the authors run the 4 small crops as one batch;
    - key encoder: the momentum copy of backbone + projector
      (:class:`MomentumEncoder`, ``base_momentum`` = m = 0.995 in the COCO
      recipe, constant with ``MomentumHook(schedule=None)``), stepped before
      the key is computed;
    - the head (:class:`MoCoKNNHead`): InfoNCE of the 5 queries against the
      key and the projection queue, averaged over all query rows, plus
      0.4 x the kNN term, whose neighbours come from a second queue of the
      key encoder's normalised pooled backbone features (before the
      projector).

    Deviation: the authors shuffle the key batch across GPUs (shuffle BN);
    here, as for the library's MoCo v2, the configs use SyncBN.

    Args:
        backbone (dict): The backbone, e.g. mmpretrain's ResNet.
        neck (dict): The projector (``MoCoV2Neck`` with average pooling).
        head (dict): The :class:`MoCoKNNHead`.
        base_momentum (float, optional): m, the key encoder's weight.
            Defaults to 0.995.
        **kwargs: ``data_preprocessor`` (``MultiViewDataPreprocessor``,
            either ``stack_groups``), ``init_cfg``, ``pretrained``.
    """

    supported_views = dict(min_views=2)
    copy_name = 'encoder_k'
    default_momentum = 0.995
    upstream_momentum_arg = None
    query_view = 0
    key_view = 1

    def __init__(self, backbone: dict, neck: dict, head: dict,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, **kwargs)

    @staticmethod
    def views_of(inputs: Sequence[Tensor]) -> List[Tensor]:
        """The views, (N, 3, h_v, w_v) each, in view order.

        Args:
            inputs (Sequence[Tensor]): Per-view batches, or size groups
                (V_g, N, 3, h, w) of ``MultiViewDataPreprocessor``.

        Returns:
            list[Tensor]: One batch per view.
        """
        return [
            view for x in inputs
            for view in (x.unbind(0) if x.dim() == 5 else (x, ))
        ]

    def encode(self, x: Tensor, encoder: nn.Sequential
               ) -> Tuple[Tensor, Tensor]:
        """Normalised projection and pooled backbone feature of a batch.

        Args:
            x (Tensor): Images (B, 3, h, w).
            encoder (torch.nn.Sequential): (backbone, neck), online or the
                copy.

        Returns:
            tuple[Tensor, Tensor]: (B, feat_dim) projections and
            (B, backbone_dim) average-pooled backbone features, both
            L2-normalised.
        """
        feats = encoder[0](x)
        pooled = feats[-1].float().mean(dim=(2, 3))  # (B, D)
        proj = encoder[1](feats)[0].float()  # (B, C)
        return F.normalize(proj, dim=1), F.normalize(pooled, dim=1)

    def loss(self, inputs: List[Tensor], data_samples: list,
             **kwargs) -> Dict[str, Tensor]:
        """InfoNCE of the query views against the key, and the kNN term.

        Args:
            inputs (list[Tensor]): The views from the data preprocessor.
            data_samples (list): Unused (the crop boxes are not read).

        Returns:
            dict[str, Tensor]: ``loss_moco`` and ``loss_knn``.
        """
        views = self.views_of(inputs)
        queries = [views[self.query_view]] + views[self.key_view + 1:]
        online = self._online()
        q, q_backbone = [], []
        for group in size_groups(queries):  # one pass per size
            proj, pooled = self.encode(torch.cat(group), online)
            # rows of the pass are view-major: v * N + n
            q.append(proj)
            q_backbone.append(pooled)
        with torch.no_grad():
            self.encoder_k.update_parameters(online)
            k, k_backbone = self.encode(views[self.key_view],
                                        self.encoder_k.module)
        return self.head.loss(
            torch.cat(q), torch.cat(q_backbone), k, k_backbone)
