# Copyright (c) mmpixpro contributors. All rights reserved.
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmpixpro.registry import MODELS


@MODELS.register_module()
class KNNPositiveLoss(nn.Module):
    """The kNN term of "Revisiting Contrastive SSL": queue neighbours as
    positives, in the supervised-contrastive form.

    `Revisiting Contrastive Methods for Unsupervised Learning of Visual
    Representations <https://arxiv.org/abs/2106.05967>`_ (Van Gansbeke et
    al., NeurIPS 2021), the auxiliary loss of the authors' ``pull_topk``.
    For query i (any of the multi-crop queries) and a queue of K keys:

    - ``s_ij`` is the cosine between the query's backbone feature (average
      pooled, normalised) and the backbone feature of queue entry j (second
      queue), which only selects the positives: ``P(i) = top-k_j s_ij``
      (k = 20 in the paper's COCO recipe), no gradient;
    - ``l_ij = q_i . kappa_j`` is the cosine between the query's projection
      q_i and the key projection kappa_j of the same queue slot j (MoCo's
      queue), and ``p_ij = exp(l_ij / T) / sum_{j'=1..K} exp(l_ij' / T)``
      a softmax over the K queue entries only (the query's own key, MoCo's
      positive, is not among them);

    ``L = w * mean_i [ -1/|P(i)| sum_{j in P(i)} log p_ij ]``

    with ``|P(i)| = k``, ``T`` the MoCo temperature (0.2) and ``w`` the
    weight (0.4).

    Args:
        topk (int): k, the neighbours taken as positives. Defaults to 20.
        temperature (float): T. Defaults to 0.2.
        loss_weight (float): w. Defaults to 0.4.

    Raises:
        ValueError: If the queue has fewer than k entries.

    Examples:
        >>> loss = KNNPositiveLoss(topk=2, temperature=0.2, loss_weight=0.4)
        >>> sim_backbone = torch.tensor([[0.9, 0.1, 0.8, 0.0]])
        >>> sim_proj = torch.zeros(1, 4)  # p_ij = 1/4 everywhere
        >>> round(loss(sim_backbone, sim_proj).item(), 4)  # 0.4 * log 4
        0.5545
    """

    def __init__(self,
                 topk: int = 20,
                 temperature: float = 0.2,
                 loss_weight: float = 0.4) -> None:
        super().__init__()
        self.topk = topk
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, sim_backbone: Tensor, sim_proj: Tensor) -> Tensor:
        """Compute L.

        Args:
            sim_backbone (Tensor): ``s_ij``, (M, K) cosines of the M queries'
                backbone features with the backbone queue (selects P(i)).
            sim_proj (Tensor): ``l_ij``, (M, K) cosines of the M queries'
                projections with the projection queue, slot for slot.

        Returns:
            Tensor: The scalar loss (weighted).
        """
        if sim_backbone.shape[1] < self.topk:
            raise ValueError(f'topk={self.topk} neighbours from a queue of '
                             f'{sim_backbone.shape[1]} entries')
        with torch.no_grad():
            knn = sim_backbone.topk(self.topk, dim=1).indices  # (M, k)
        log_p = F.log_softmax(sim_proj.float() / self.temperature, dim=1)
        per_query = -log_p.gather(1, knn).mean(dim=1)  # (M, )
        return self.loss_weight * per_query.mean()
