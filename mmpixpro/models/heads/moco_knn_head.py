# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Dict, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather
from mmengine.model import BaseModule
from torch import Tensor

from mmpixpro.registry import MODELS


@MODELS.register_module()
class MoCoKNNHead(BaseModule):
    """The two queues and the two terms of "Revisiting Contrastive SSL".

    `Revisiting Contrastive Methods for Unsupervised Learning of Visual
    Representations <https://arxiv.org/abs/2106.05967>`_, as the authors'
    ``builder_ours.py`` computes it. Given M = V_q * N normalised query
    projections q (one large query view and the small views of N images)
    and the N normalised key projections k of the key view:

    - MoCo's InfoNCE (mmpretrain's ``ContrastiveHead``, T = 0.2): for query
      row i of image n(i), the logits are ``[q_i . k_n(i), q_i . kappa_1,
      ..., q_i . kappa_K] / T`` with kappa the projection queue (taken
      before this batch is enqueued), the positive in column 0, and the
      cross-entropy is averaged over all M rows (large and small queries
      alike);
    - the kNN term (:class:`KNNPositiveLoss`): the backbone features of the
      queries select their top-k neighbours in the backbone queue, which
      are positives among the same ``q_i . kappa_j`` columns.

    Both queues are filled with the key encoder's outputs of the key view:
    the projection queue with k (``feat_dim``), the backbone queue with the
    normalised average-pooled backbone feature (``backbone_dim``, 2048 for a
    ResNet-50), one FIFO pointer for both, gathered over all ranks. They
    are buffers, so they are saved in checkpoints and restored on resume.

    Order, as in the authors' code (``enqueue_before_knn=True``): the
    current keys are enqueued after the InfoNCE logits but before the
    backbone similarities of the kNN term are taken. The kNN term therefore
    searches a backbone queue that holds this batch's keys in the slots
    ``[ptr, ptr + N)`` (each query's own key typically among its nearest)
    while its softmax columns ``q_i . kappa_j`` of those slots are the
    evicted keys. ``enqueue_before_knn=False`` searches the queue as it was
    before the update, slot for slot with the InfoNCE negatives (not the
    authors' order; for ablations).

    Args:
        queue_len (int): K, the entries of each queue. Defaults to 65536.
        feat_dim (int): Channels of the projections. Defaults to 128.
        backbone_dim (int): Channels of the pooled backbone features.
            Defaults to 2048.
        contrastive (dict): The InfoNCE head. Defaults to mmpretrain's
            ``ContrastiveHead`` with cross-entropy and T = 0.2.
        knn_loss (dict): The kNN term. Defaults to
            ``KNNPositiveLoss(topk=20, temperature=0.2, loss_weight=0.4)``.
        enqueue_before_knn (bool): The authors' order (see above). Defaults
            to True.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 backbone_dim: int = 2048,
                 contrastive: dict = dict(
                     type='ContrastiveHead',
                     loss=dict(type='CrossEntropyLoss'),
                     temperature=0.2),
                 knn_loss: dict = dict(
                     type='KNNPositiveLoss',
                     topk=20,
                     temperature=0.2,
                     loss_weight=0.4),
                 enqueue_before_knn: bool = True,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.contrastive = MODELS.build(contrastive)
        self.knn_loss = MODELS.build(knn_loss)
        self.queue_len = queue_len
        self.enqueue_before_knn = enqueue_before_knn
        # random unit vectors until real keys replace them, as MoCo's queue
        self.register_buffer(
            'queue', F.normalize(torch.randn(feat_dim, queue_len), dim=0))
        self.register_buffer(
            'queue_backbone',
            F.normalize(torch.randn(backbone_dim, queue_len), dim=0))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys: Tensor, keys_backbone: Tensor) -> None:
        """Write the keys of all ranks at the pointer (FIFO), move it on.

        The slots ``(ptr + b) mod K`` for b = 0..B-1 take the B gathered
        keys; the pointer becomes ``(ptr + B) mod K``.

        Args:
            keys (Tensor): Normalised key projections, (N, feat_dim).
            keys_backbone (Tensor): Normalised pooled key backbone
                features, (N, backbone_dim).
        """
        keys = torch.cat(all_gather(keys), dim=0)  # (B, C)
        keys_backbone = torch.cat(all_gather(keys_backbone), dim=0)
        batch = keys.shape[0]
        if batch > self.queue_len:
            raise ValueError(f'{batch} keys per step do not fit a queue of '
                             f'{self.queue_len}')
        ptr = int(self.queue_ptr)
        slots = (ptr + torch.arange(batch, device=keys.device)) % \
            self.queue_len
        self.queue[:, slots] = keys.t().to(self.queue.dtype)
        self.queue_backbone[:, slots] = keys_backbone.t().to(
            self.queue_backbone.dtype)
        self.queue_ptr[0] = (ptr + batch) % self.queue_len

    def loss(self, q: Tensor, q_backbone: Tensor, k: Tensor,
             k_backbone: Tensor) -> Dict[str, Tensor]:
        """InfoNCE and kNN terms; enqueues the keys.

        Args:
            q (Tensor): Normalised query projections, (V_q * N, feat_dim),
                view-major (rows ``v * N + n``).
            q_backbone (Tensor): Normalised pooled backbone features of the
                same queries, (V_q * N, backbone_dim).
            k (Tensor): Normalised key projections, (N, feat_dim).
            k_backbone (Tensor): Normalised pooled key backbone features,
                (N, backbone_dim).

        Returns:
            dict[str, Tensor]: ``loss_moco`` (InfoNCE) and ``loss_knn``
            (weighted kNN term).
        """
        num_views = q.shape[0] // k.shape[0]
        k_rows = k.repeat(num_views, 1)  # (V_q * N, C): k_n(i) for row i
        l_pos = (q * k_rows).sum(dim=1, keepdim=True)  # (M, 1)
        l_neg = q @ self.queue.clone().detach()  # (M, K)
        loss_moco = self.contrastive.loss(l_pos, l_neg)
        if self.enqueue_before_knn:
            self.enqueue(k, k_backbone)
        with torch.no_grad():
            sim_backbone = q_backbone @ self.queue_backbone.clone()  # (M, K)
        if not self.enqueue_before_knn:
            self.enqueue(k, k_backbone)
        loss_knn = self.knn_loss(sim_backbone, l_neg)
        return dict(loss_moco=loss_moco, loss_knn=loss_knn)
