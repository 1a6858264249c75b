# Copyright (c) mmpixpro contributors. All rights reserved.
from functools import partial
from typing import Dict, List, Sequence, Tuple

import torch
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils import MomentumEncoder
from .pixpro import NUM_GLOBAL_VIEWS, PixPro


@MODELS.register_module()
class PixProInstance(PixPro):
    """PixPro with the instance branch ("PixPro + instance").

    `Propagate Yourself <https://arxiv.org/abs/2011.10043>`_, Sec. 3.4. Next
    to the pixel path of :class:`PixPro` (backbone [-> fpn] -> projector ->
    PPM), the backbone's last map feeds an instance projector (per pixel,
    e.g. 2048-4096-256); the instance head predicts per pixel, pools and
    normalises; a momentum copy of the instance projector, pooled, is the
    target. The loss is ``L_pixpro + alpha * L_instance`` with both terms
    symmetric; ``alpha`` is the instance head's ``loss_weight``.

    The backbone runs once per view and network: both paths share its
    output. The momentum copy of the instance projector is updated with
    the same ``m`` as the rest of the target.

    With ``multi_crop=True`` (see :class:`PixPro`) both terms take the
    same directed pairs: a local view's pooled instance prediction is
    compared with the pooled targets of both global views (as BYOL-style
    multi-crop methods do), ``L_instance = (2 / P) * sum_(a -> b)
    l_ins(a -> b)``, which is the symmetric sum for two views. Local views
    go through the online networks and the instance projector batched per
    size group, as in :class:`PixPro`.

    Args:
        instance_neck (dict): Instance projector, e.g. :class:`PixelMLPNeck`
            (its last output map is used).
        instance_head (dict): e.g. :class:`InstanceBranchHead`.
        **kwargs: The arguments of :class:`PixPro`.
    """

    def __init__(self, instance_neck: dict, instance_head: dict,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.instance_neck = MODELS.build(instance_neck)
        self.instance_head = MODELS.build(instance_head)
        self.target_instance_neck = MomentumEncoder(self.instance_neck,
                                                    self.base_momentum)
        self.to(memory_format=self.memory_format)

    def init_weights(self) -> None:
        """Initialise, then copy every online network into its target."""
        super().init_weights()
        self.target_instance_neck.sync(self.instance_neck.parameters())

    def update_targets(self) -> None:
        """EMA step of the pixel and instance momentum copies."""
        super().update_targets()
        self.target_instance_neck.update(self.instance_neck.parameters())

    @classmethod
    def two_paths(cls, networks: Sequence[nn.Module],
                  instance_neck: nn.Module,
                  view: Tensor) -> Tuple[Tuple[Tensor, ...], Tensor]:
        """Pixel projections and instance projection of one view.

        Args:
            networks (Sequence[nn.Module]): backbone [, fpn], projector.
            instance_neck (nn.Module): The instance projector.
            view (Tensor): Images of shape (N, 3, H, W).

        Returns:
            tuple: The pixel maps x (one per level) and the instance map z
            of shape (N, C, h, w).
        """
        feats, levels = cls.run_chain(networks, view)
        return levels, instance_neck(feats)[-1]

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """``L_pixpro`` and ``alpha * L_instance``, both symmetric.

        Both are ``(2 / P) * sum`` over the directed pairs of
        :meth:`view_pairs` (with two views: ``l(1 -> 2) + l(2 -> 1)``).

        Args:
            inputs (list[Tensor]): V views, each (N, 3, H_v, W_v), or size
                groups (V_g, N, 3, h, w); V = 2 without ``multi_crop``.
            data_samples (list[DataSample]): Each with ``crop_boxes`` (V, 4).

        Returns:
            dict[str, Tensor]: ``loss_pixel`` and ``loss_instance`` (their
            sum is optimised and logged as ``loss``).
        """
        views, boxes = self.prepare_views(inputs, data_samples)
        self.update_targets()
        online = self.run_views(
            partial(self.two_paths, self.online_networks(),
                    self.instance_neck), views)
        with torch.no_grad():
            target = [
                self.two_paths(self.target_net.module,
                               self.target_instance_neck, v)
                for v in views[:NUM_GLOBAL_VIEWS]
            ]
        loss_pixel = self.symmetric_level_loss([o[0] for o in online],
                                               [t[0] for t in target], boxes,
                                               [v.shape[-2:] for v in views])
        pairs = self.view_pairs(len(views))
        loss_instance = sum(
            self.instance_head.loss(online[a][1], target[b][1])
            for a, b in pairs) * (2 / len(pairs))
        return dict(loss_pixel=loss_pixel, loss_instance=loss_instance)
