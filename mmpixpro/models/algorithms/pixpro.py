# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import (Any, Callable, Dict, List, Optional, Sequence, Tuple,
                    Union)

import torch
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..data_preprocessors import size_groups
from ..utils import (MomentumEncoder, backbone_grid_stride, grid_boxes,
                     momentum_property, probe_feature_channels)

# views 0 and 1 are the global views; views 2.. the local views
NUM_GLOBAL_VIEWS = 2


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

    Multi-crop (``multi_crop=True``, our option; the paper has two views):
    views 0 and 1 are the global views, views 2.. local views (e.g. 6 at
    96 px, 3 x 3 maps against the globals' 7 x 7). A local view only goes
    through the online branch (propagated by the PPM) and is compared with
    the momentum targets of both global views; positives across
    resolutions follow :func:`mmpixpro.models.utils.positive_mask` (distance
    in units of the larger bin). Over the P directed pairs ``(a -> b)``:
    ``(0 -> 1)``, ``(1 -> 0)`` and ``(l -> 0)``, ``(l -> 1)`` for each local
    view l (``P = 2 + 2 * (V - 2)``), the loss is

        ``L = (2 / P) * sum_(a -> b) l(a -> b)``,

    i.e. twice the mean over the directed pairs (SwAV and DINO average over
    their pairs): with two views it is ``l(1 -> 2) + l(2 -> 1)`` exactly,
    and the loss keeps its range [-4, 4] whatever V. As in
    :class:`PixProLoss`, an image without a positive pair contributes 0 to
    ``l(a -> b)`` and still counts in its batch mean (a local crop outside
    global view 1 lowers the magnitude of ``l(l -> 1)``).

    BN statistics: each global view goes through the networks on its own
    (per view, the paper's recipe, so two views are computed as without
    the option); the local views of one size go through the online
    networks as ONE batch (V_g * N images, statistics per size group, as
    SwAV's multi-crop does), whether they arrive stacked
    (``MultiViewDataPreprocessor(stack_groups=True)``: (V_g, N, 3, h, w)
    per group) or one tensor per view.

    The projector's input channels may be left to the backbone
    (``neck.in_channels=None``): they are then read from one dummy forward
    at build time, so any backbone that returns a feature map works; the
    feature size is read from the maps at every step. A patch grid (ViT,
    :func:`backbone_grid_stride`) keeps its real stride ``p``: when ``p``
    does not divide a view's size, the grid covers ``ceil(S / p) * p`` px
    and its bins are placed by :func:`grid_boxes`; other backbones' maps
    tile the view (stride ``S / n``).

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
        multi_crop (bool): Take local views beyond the two global ones
            (views 2.., compared with both global targets; see above).
            False: exactly 2 views. Defaults to False.
        fpn (dict, optional): A feature pyramid between the backbone and the
            projector (head-network pretraining), e.g. :class:`FPN`; the
            pixel task then runs on the levels the neck selects. Stored as
            ``fpn`` with mmdet's parameter names. Defaults to None.
        pretrained (str, optional): Checkpoint to initialise from.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    # what a plain PixPro takes; ``supported_views_of`` reads the option
    supported_views = dict(num_views=NUM_GLOBAL_VIEWS)

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.99,
                 channels_last: bool = True,
                 batch_target_views: bool = False,
                 multi_crop: bool = False,
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
        # pixels of a view per cell of the backbone's grid (ViT), or None
        self.grid_stride = (
            backbone_grid_stride(self.backbone) if fpn is None else None)
        self.target_net = MomentumEncoder(
            nn.Sequential(*self.online_networks()), base_momentum)
        self.batch_target_views = batch_target_views
        self.multi_crop = multi_crop
        self.memory_format = (
            torch.channels_last if channels_last else torch.contiguous_format)
        self.to(memory_format=self.memory_format)

    @classmethod
    def supported_views_of(cls, model_cfg: dict) -> dict:
        """The views a model config of this class takes (config check).

        Args:
            model_cfg (dict): The ``model`` config.

        Returns:
            dict: A ``supported_views`` spec (see ``views_problem`` in
            ``mmpixpro.utils.config_check``): at least 2 views with
            ``multi_crop``, else :attr:`supported_views` (2 views) with a
            hint naming the option.
        """
        if model_cfg.get('multi_crop', False):
            return dict(min_views=NUM_GLOBAL_VIEWS)
        return dict(
            cls.supported_views,
            hint='model.multi_crop=True takes local views (views 2..)')

    def online_networks(self) -> List[nn.Module]:
        """The chain backbone [-> fpn] -> projector, mirrored by the target."""
        fpn = [self.fpn] if self.fpn is not None else []
        return [self.backbone, *fpn, self.neck]

    def online_parameters(self) -> List[nn.Parameter]:
        """Parameters of the online chain, in the momentum copy's order."""
        return [p for net in self.online_networks() for p in net.parameters()]

    momentum = momentum_property

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
        """The PixPro loss ``(2 / P) * sum_(a -> b) l(a -> b)``.

        With two views: ``l(1 -> 2) + l(2 -> 1)``; with local views the
        pairs of :meth:`view_pairs` (see the class docstring).

        Args:
            inputs (list[Tensor]): V views, each (N, 3, H_v, W_v), or size
                groups (V_g, N, 3, h, w) (``MultiViewDataPreprocessor``).
            data_samples (list[DataSample]): Each with ``crop_boxes`` of
                shape (V, 4), the boxes of the views in view order.

        Returns:
            dict[str, Tensor]: ``loss``, the total loss.
        """
        inputs, boxes = self.prepare_views(inputs, data_samples)
        self.update_targets()

        online = self.run_views(self.project, inputs)
        target = self.target_projections(inputs[:NUM_GLOBAL_VIEWS])

        loss = self.symmetric_level_loss(online, target, boxes,
                                         [v.shape[-2:] for v in inputs])
        return dict(loss=loss)

    def prepare_views(self, inputs: List[Tensor],
                      data_samples: List[DataSample]
                      ) -> Tuple[List[Tensor], Tensor]:
        """Check the views and stack their crop boxes.

        Args:
            inputs (list[Tensor]): Views (N, 3, H_v, W_v), or size groups
                (V_g, N, 3, h, w) that are split into their views: 2 views,
                or at least 2 with ``multi_crop``.
            data_samples (list[DataSample]): Each with ``crop_boxes`` (V, 4).

        Returns:
            tuple[list[Tensor], Tensor]: The V views in view order, each
            (N, 3, H_v, W_v) in the model's memory format, and the boxes of
            shape (N, V, 4).
        """
        views = [
            view for t in inputs
            for view in (t.unbind(0) if t.dim() == 5 else (t, ))
        ]
        name = type(self).__name__
        if self.multi_crop and len(views) < NUM_GLOBAL_VIEWS:
            raise ValueError(f'{name} (multi_crop) needs at least 2 views '
                             f'(2 global, then local ones), got {len(views)}')
        if not self.multi_crop and len(views) != NUM_GLOBAL_VIEWS:
            raise ValueError(
                f'{name} needs 2 views, got {len(views)} (multi_crop=True '
                'takes local views beyond the 2 global ones)')
        boxes = self.gather_boxes(data_samples, views[0].device)  # (N,V,4)
        if boxes.dim() != 3 or boxes.shape[1] != len(views):
            raise ValueError(
                f'{name}: {len(views)} views but crop_boxes of shape '
                f'{tuple(boxes.shape[1:])} per sample; one (x_ul, y_ul, '
                'x_lr, y_lr) row per view is needed')
        views = [v.contiguous(memory_format=self.memory_format)
                 for v in views]
        return views, boxes

    @staticmethod
    def run_views(fn: Callable[[Tensor], Any],
                  views: Sequence[Tensor]) -> List[Any]:
        """``fn`` on every view: global views alone, local views batched.

        Views 0 and 1 go through ``fn`` one at a time (BN statistics per
        view); the local views (2..) in runs of one size
        (:func:`size_groups`) go through it as one batch of V_g * N images,
        and its output is split back into views.

        Args:
            fn (Callable): Maps images (B, 3, H, W) to a tensor or a nested
                tuple/list of tensors with B first, e.g. :meth:`project`.
            views (Sequence[Tensor]): The V views, each (N, 3, H_v, W_v).

        Returns:
            list: ``fn``'s output for each view, in view order.
        """
        outputs = [fn(v) for v in views[:NUM_GLOBAL_VIEWS]]
        for group in size_groups(views[NUM_GLOBAL_VIEWS:]):
            if len(group) == 1:
                outputs.append(fn(group[0]))
            else:
                outputs += split_batch(fn(torch.cat(group)), len(group))
        return outputs

    @staticmethod
    def view_pairs(num_views: int) -> List[Tuple[int, int]]:
        """The directed pairs ``(a, b)`` of the loss ``l(a -> b)``.

        Args:
            num_views (int): V, with views 0 and 1 global.

        Returns:
            list[tuple[int, int]]: ``(0, 1)``, ``(1, 0)``, then ``(l, 0)``
            and ``(l, 1)`` for each local view l (online local view against
            the targets of both global views): ``P = 2 + 2 * (V - 2)``.
        """
        locals_ = [(view, g) for view in range(NUM_GLOBAL_VIEWS, num_views)
                   for g in range(NUM_GLOBAL_VIEWS)]
        return [(0, 1), (1, 0)] + locals_

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

    def symmetric_level_loss(
            self,
            online: Sequence[Tuple[Tensor, ...]],
            target: Sequence[Tuple[Tensor, ...]],
            boxes: Tensor,
            view_sizes: Optional[Sequence[Tuple[int, int]]] = None
    ) -> Tensor:
        """``(2 / P) * sum_(a -> b) l(a -> b)`` averaged over the levels.

        The P directed pairs are :meth:`view_pairs`; with two views this is
        ``l(1 -> 2) + l(2 -> 1)`` (the factor is then exactly 1).

        Args:
            online (Sequence[tuple[Tensor]]): Per view (all V), the online
                maps.
            target (Sequence[tuple[Tensor]]): Per global view, the target
                maps.
            boxes (Tensor): Crop boxes of shape (N, V, 4).
            view_sizes (Sequence[tuple[int, int]], optional): ``(H_v, W_v)``
                of each view, needed to place the cells of a patch grid
                (:attr:`grid_stride`); None: the maps tile the views.

        Returns:
            Tensor: The scalar loss.
        """
        pairs = self.view_pairs(len(online))
        num_levels = len(online[0])
        stride = self.grid_stride if view_sizes is not None else None

        def cells(view: int, lvl: int, maps: Sequence) -> Tensor:
            if stride is None:
                return boxes[:, view]
            return grid_boxes(boxes[:, view], tuple(view_sizes[view]),
                              tuple(maps[view][lvl].shape[-2:]), stride)

        total = 0.
        for lvl in range(num_levels):
            for a, b in pairs:
                total = total + self.head.loss(online[a][lvl],
                                               target[b][lvl],
                                               cells(a, lvl, online),
                                               cells(b, lvl, target))
        return total * (2 / len(pairs)) / num_levels

    @staticmethod
    def gather_boxes(data_samples: List[DataSample],
                     device: torch.device) -> Tensor:
        """Stack the crop boxes of a batch.

        Args:
            data_samples (list[DataSample]): Each with ``crop_boxes`` (V, 4),
                one row per view (2 views, or more with multi-crop).
            device (torch.device): Where the boxes go.

        Returns:
            Tensor: Boxes of shape (N, V, 4), float32.
        """
        if not data_samples or 'crop_boxes' not in data_samples[0]:
            raise KeyError(
                'PixPro needs the crop boxes of all views in each data '
                'sample (field "crop_boxes"): use TwoViewTransform or '
                'MultiViewTransform and '
                "PackInputs(algorithm_keys=['crop_boxes']) in the pipeline.")
        boxes = torch.stack(
            [torch.as_tensor(s.crop_boxes) for s in data_samples])
        return boxes.to(device=device, dtype=torch.float32)


def split_batch(output: Any, num: int) -> List[Any]:
    """Split a batched output into ``num`` equal parts along dim 0.

    Args:
        output (Tensor | tuple | list): A tensor (num * N, ...) or a nested
            tuple/list of such tensors.
        num (int): Parts.

    Returns:
        list: ``num`` outputs of the same structure, each with N first.
    """
    if isinstance(output, Tensor):
        return list(output.chunk(num))
    parts = [split_batch(item, num) for item in output]
    return [type(output)(p[k] for p in parts) for k in range(num)]
