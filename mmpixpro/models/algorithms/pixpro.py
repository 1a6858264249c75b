# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils import MomentumEncoder, probe_feature_channels, set_momentum


@MODELS.register_module()
class PixPro(BaseSelfSupervisor):
    """PixPro: pixel-level consistency with a momentum encoder.

    `Propagate Yourself: Exploring Pixel-Level Consistency for Unsupervised
    Visual Representation Learning <https://arxiv.org/abs/2011.10043>`_.

    Wiring only: online backbone -> per-pixel projector (neck) -> PPM and
    loss (head); a momentum copy of backbone + projector gives the targets.
    Each view goes through the networks on its own (BN statistics per view).
    The momentum ``m`` of the copy (a :class:`MomentumEncoder`) is set
    every iteration by :class:`mmpixpro.engine.MomentumHook` from the
    Runner's global iteration; the EMA step runs before the targets are
    computed, once per optimiser step (with gradient accumulation, in the
    first micro-batch of each step: the same hook holds the copy in the
    others). When the neck returns several levels (e.g. on an FPN), the
    loss is averaged over levels.

    The projector's input channels may be left to the backbone
    (``neck.in_channels=None``): they are then read from one dummy forward
    at build time, so any backbone that returns a feature map works; the
    feature size (hence the stride) is read from the maps at every step.

    Args:
        backbone (dict): Backbone config, e.g. mmpretrain's ResNet.
        neck (dict): Projector config, e.g. :class:`PixelMLPNeck`.
        head (dict): Head config, e.g. :class:`PixelPropagationHead`.
        base_momentum (float): ``m0``, the momentum at iteration 0.
            Defaults to 0.99.
        channels_last (bool): Keep weights and inputs in the channels-last
            memory format (faster convolutions on CPU and tensor-core GPUs;
            same maths). Defaults to True.
        batch_target_views (bool): Run the two views through the momentum
            network as one batch of 2N (one call instead of two, faster for
            small batches) instead of view by view. This changes the BN
            statistics of the target (computed over both views), so it is
            off by default: the paper's recipe normalises each view on its own.
            Defaults to False.
        fpn (dict, optional): A feature pyramid between the backbone and the
            projector (head-network pretraining), e.g. :class:`FPN`; the
            pixel task then runs on the levels the neck selects. Stored as
            ``fpn`` with mmdet's parameter names. Defaults to None.
        pretrained (str, optional): Checkpoint to initialise from.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.99,
                 channels_last: bool = True,
                 batch_target_views: bool = False,
                 fpn: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        backbone = MODELS.build(backbone)
        fpn = MODELS.build(fpn) if fpn is not None else None
        if neck.get('in_channels', 0) is None:
            neck = dict(
                neck,
                in_channels=probe_feature_channels(
                    [backbone] + ([fpn] if fpn is not None else [])))
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.base_momentum = base_momentum
        self.fpn = fpn
        self.target_net = MomentumEncoder(
            nn.Sequential(*self.online_networks()), base_momentum)
        self.batch_target_views = batch_target_views
        self.memory_format = (
            torch.channels_last if channels_last else torch.contiguous_format)
        self.to(memory_format=self.memory_format)

    def online_networks(self) -> List[nn.Module]:
        """The chain backbone [-> fpn] -> projector, mirrored by the target."""
        fpn = [self.fpn] if self.fpn is not None else []
        return [self.backbone, *fpn, self.neck]

    def online_parameters(self) -> List[nn.Parameter]:
        """Parameters of the online chain, in the momentum copy's order."""
        return [p for net in self.online_networks() for p in net.parameters()]

    @property
    def momentum(self) -> float:
        """``m``, the current momentum of the target networks."""
        return self.target_net.momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        set_momentum(self, value)

    def update_targets(self) -> None:
        """EMA step of the momentum copy with the current ``momentum``."""
        self.target_net.update(self.online_parameters())

    def init_weights(self) -> None:
        """Initialise the online networks, then copy them into the target."""
        super().init_weights()
        self.target_net.sync(self.online_parameters())

    @staticmethod
    def run_chain(networks: Sequence[nn.Module], view: Tensor
                  ) -> Tuple[Tuple[Tensor, ...], Tuple[Tensor, ...]]:
        """One view through backbone [-> fpn] -> projector.

        Args:
            networks (Sequence[nn.Module]): The chain, online or momentum.
            view (Tensor): Images of shape (N, 3, H, W).

        Returns:
            tuple: The backbone features and the per-pixel projections
            (one (N, C, h, w) map per level).
        """
        feats = networks[0](view)
        levels = feats
        for net in networks[1:]:
            levels = net(levels)
        return feats, levels

    def project(self, view: Tensor) -> Tuple[Tensor, ...]:
        """Online per-pixel projections x of one view.

        Args:
            view (Tensor): Images of shape (N, 3, H, W).

        Returns:
            tuple[Tensor]: One (N, C, h, w) map per level.
        """
        return self.run_chain(self.online_networks(), view)[1]

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """The symmetric PixPro loss ``l(1 -> 2) + l(2 -> 1)``.

        Args:
            inputs (list[Tensor]): Two views, each (N, 3, H, W).
            data_samples (list[DataSample]): Each with ``crop_boxes`` of
                shape (2, 4), the boxes of the two views.

        Returns:
            dict[str, Tensor]: ``loss``, the total loss.
        """
        inputs, boxes = self.prepare_views(inputs, data_samples)
        self.update_targets()

        online = [self.project(v) for v in inputs]
        target = self.target_projections(inputs)

        loss = self.symmetric_level_loss(online, target, boxes)
        return dict(loss=loss)

    def prepare_views(self, inputs: List[Tensor],
                      data_samples: List[DataSample]
                      ) -> Tuple[List[Tensor], Tensor]:
        """Check the two views and stack their crop boxes.

        Args:
            inputs (list[Tensor]): Two views, each (N, 3, H, W).
            data_samples (list[DataSample]): Each with ``crop_boxes`` (2, 4).

        Returns:
            tuple[list[Tensor], Tensor]: The views in the model's memory
            format and the boxes of shape (N, 2, 4).
        """
        if len(inputs) != 2:
            raise ValueError(
                f'{type(self).__name__} needs 2 views, got {len(inputs)}')
        boxes = self.gather_boxes(data_samples, inputs[0].device)  # (N,2,4)
        views = [v.contiguous(memory_format=self.memory_format)
                 for v in inputs]
        return views, boxes

    @torch.no_grad()
    def target_projections(self, views: List[Tensor]
                           ) -> List[Tuple[Tensor, ...]]:
        """Momentum-network projections x' of each view.

        Args:
            views (list[Tensor]): The views, each (N, 3, H, W).

        Returns:
            list[tuple[Tensor]]: Per view, one (N, C, h, w) map per level.
        """
        if not self.batch_target_views:
            return [self.target_net(v) for v in views]
        levels = self.target_net(torch.cat(views))
        chunks = [level.chunk(len(views)) for level in levels]
        return [tuple(c[i] for c in chunks) for i in range(len(views))]

    def symmetric_level_loss(self, online: Sequence[Tuple[Tensor, ...]],
                             target: Sequence[Tuple[Tensor, ...]],
                             boxes: Tensor) -> Tensor:
        """``l(1 -> 2) + l(2 -> 1)`` averaged over the levels.

        Args:
            online (Sequence[tuple[Tensor]]): Per view, the online maps.
            target (Sequence[tuple[Tensor]]): Per view, the target maps.
            boxes (Tensor): Crop boxes of shape (N, 2, 4).

        Returns:
            Tensor: The scalar loss.
        """
        num_levels = len(online[0])
        total = 0.
        for lvl in range(num_levels):
            for a, b in ((0, 1), (1, 0)):
                total = total + self.head.loss(online[a][lvl],
                                               target[b][lvl], boxes[:, a],
                                               boxes[:, b])
        return total / num_levels

    @staticmethod
    def gather_boxes(data_samples: List[DataSample],
                     device: torch.device) -> Tensor:
        """Stack the crop boxes of a batch.

        Args:
            data_samples (list[DataSample]): Each with ``crop_boxes`` (2, 4).
            device (torch.device): Where the boxes go.

        Returns:
            Tensor: Boxes of shape (N, 2, 4), float32.
        """
        if not data_samples or 'crop_boxes' not in data_samples[0]:
            raise KeyError(
                'PixPro needs the crop boxes of both views in each data '
                'sample (field "crop_boxes"): use TwoViewTransform and '
                "PackInputs(algorithm_keys=['crop_boxes']) in the pipeline.")
        boxes = torch.stack(
            [torch.as_tensor(s.crop_boxes) for s in data_samples])
        return boxes.to(device=device, dtype=torch.float32)
