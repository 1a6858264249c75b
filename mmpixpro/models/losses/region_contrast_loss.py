# Copyright (c) mmpixpro contributors. All rights reserved.
"""DenseSiam's region consistency: InfoNCE among the regions of one image.

`Dense Siamese Network for Dense Unsupervised Learning
<https://arxiv.org/abs/2203.11075>`_ (RegionSim; ``kernel_contrast`` in the
authors' code). For an image with K region embeddings, the prediction
``p_k`` of region k in one view must pick region k of the other view among
its K regions:

    ``l = -(1 / K) sum_k log( exp(p_k . z'_k / T)
                               / sum_m exp(p_k . z'_m / T) )``

with ``p`` and ``z'`` L2-normalised (the authors' setting ``kernel_norm``)
and ``T = 0.1``. The other regions of the same image are the negatives;
there is no stop-gradient on ``z'`` (the authors' code has none in this
term). The loss is the mean of ``l`` over the images whose weight is 1.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmpixpro.registry import MODELS


@MODELS.register_module()
class RegionContrastLoss(BaseModule):
    """InfoNCE between the K regions of one image in two views.

    Args:
        temperature (float): ``T``. Defaults to 0.1 (the authors' value).
        normalize (bool): L2-normalise ``p`` and ``z'`` first. Defaults to
            True (the authors' released config).

    Examples:
        >>> loss = RegionContrastLoss()
        >>> p, z = torch.randn(2, 4, 8), torch.randn(2, 4, 8)
        >>> loss(p, z).shape
        torch.Size([])
    """

    def __init__(self, temperature: float = 0.1,
                 normalize: bool = True) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.normalize = normalize

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None) -> Tensor:
        """``l`` averaged over the weighted images.

        Args:
            pred (Tensor): Region predictions ``p`` of one view, (N, K, D).
            target (Tensor): Region projections ``z'`` of the other view,
                (N, K, D).
            weight (Tensor, optional): (N, ) image weights (1: keep, 0:
                drop, e.g. views without overlap). None: all images.

        Returns:
            Tensor: The scalar loss (0 when every weight is 0).
        """
        if self.normalize:
            pred = F.normalize(pred, dim=-1)
            target = F.normalize(target, dim=-1)
        logits = torch.einsum('nkd,nmd->nkm', pred, target)
        logits = logits / self.temperature  # (N, K, K)
        log_prob = logits.log_softmax(dim=-1)
        per_image = -log_prob.diagonal(dim1=1, dim2=2).mean(dim=1)  # (N, )
        if weight is None:
            return per_image.mean()
        weight = weight.to(per_image.dtype)
        return (per_image * weight).sum() / weight.sum().clamp(min=1)
