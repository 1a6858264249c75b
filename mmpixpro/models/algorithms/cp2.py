# Copyright (c) mmpixpro contributors. All rights reserved.
"""CP2: copy-paste contrastive pretraining (`Wang et al., 2022
<https://arxiv.org/abs/2203.11709>`_)."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.dist import all_gather, get_world_size
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils.paste import copy_paste, mask_on_grid, paste_masks
from .momentum_baselines import MomentumCopyMixin

# views 0, 1: the query and key foregrounds; views 2, 3: backgrounds
CP2_VIEWS = dict(num_views=4, same_size=True)


def contract_first_dilation(backbone: nn.Module) -> None:
    """Halve the dilation of the first block of each dilated stage.

    What mmseg's ``ResNet(contract_dilation=True)`` does (the authors'
    pretraining and fine-tuning configs): the first block of a stage of
    dilation ``d > 1`` runs its dilated 3x3 conv at ``d // 2``. Applied in
    place to an mmpretrain ``ResNet``; no parameter changes.

    Args:
        backbone (nn.Module): With ``res_layers`` and ``dilations``.
    """
    for name, d in zip(backbone.res_layers, backbone.dilations):
        if d <= 1:
            continue
        for conv in getattr(backbone, name)[0].modules():
            if isinstance(conv, nn.Conv2d) and conv.dilation == (d, d):
                conv.dilation = conv.padding = (d // 2, d // 2)


@MODELS.register_module()
class CP2(MomentumCopyMixin, BaseSelfSupervisor):
    """Copy-paste contrastive pretraining of a segmentation network.

    Each sample brings 4 views of one size (:data:`CP2_VIEWS`): the query
    and key foregrounds (views 0, 1) and two background views (2, 3), and
    one paste rectangle per foreground (``paste_boxes`` from
    :class:`mmpixpro.datasets.RandomPasteBox`, with masks ``M^q``,
    ``M^k``). The query of sample n is ``x_q = M^q * v0[n] + (1 - M^q) *
    v2[n + 1]`` and the key ``x_k = M^k * v1[n] + (1 - M^k) * v3[n + 1]``:
    the background comes from the next image of the batch (cyclically), as
    the authors take it from another image through two extra shuffled
    loaders. The segmentation network (backbone at output stride 16, ASPP
    ``neck``, per-pixel projection in ``head``) maps each to normalised
    pixel embeddings; the masks are read at the cell centres of the
    feature grid; :class:`CP2Loss` gives InfoNCE on the mask-pooled
    foregrounds against a queue of K pooled keys plus 0.2 x the dense
    term. The key network is a :class:`MomentumEncoder` copy (m = 0.999,
    held constant by ``MomentumHook(schedule=None)``) of backbone, ASPP
    and projection, updated before the keys are computed; with several
    processes its batch is shuffled across them for BN (MoCo's trick),
    and the keys of all processes are enqueued.

    Args:
        backbone (dict): A dilated ResNet (strides (1, 2, 2, 1), dilations
            (1, 1, 1, 2)).
        neck (dict): :class:`ASPPNeck`.
        head (dict): :class:`CP2Head`.
        queue_len (int): K. Defaults to 65536.
        feat_dim (int): C of the embedding. Defaults to 128.
        base_momentum (float): m, the weight of the key network. Defaults
            to 0.999.
        contract_dilation (bool): Run the first block of each dilated
            stage at half its dilation (:func:`contract_first_dilation`),
            as mmseg's ``ResNet(contract_dilation=True)`` of the authors'
            configs and of the fine-tuning. Defaults to True.
        pretrained (str, optional): Checkpoint to initialise from.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    supported_views = CP2_VIEWS
    upstream_momentum_arg = None  # BaseSelfSupervisor has no momentum

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 base_momentum: float = 0.999,
                 contract_dilation: bool = True,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        backbone = MODELS.build(backbone)
        if contract_dilation:  # before the key network copies it
            contract_first_dilation(backbone)
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            base_momentum=base_momentum,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.queue_len = queue_len
        self.register_buffer(
            'queue', nn.functional.normalize(
                torch.randn(feat_dim, queue_len), dim=0))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))

    def _online(self) -> nn.Sequential:
        """backbone -> ASPP -> projection, mirrored by the key network."""
        return nn.Sequential(self.backbone, self.neck, self.head.projector)

    def extract_feat(self, inputs: Tensor, data_samples=None) -> tuple:
        """Backbone levels of ``inputs`` (what a probe reads)."""
        return self.backbone(inputs)

    @torch.no_grad()
    def _dequeue_and_enqueue(self, keys: Tensor) -> None:
        """Write the keys of every process at the pointer (wrapping)."""
        keys = torch.cat(all_gather(keys), dim=0)
        ptr = int(self.queue_ptr)
        idx = (ptr + torch.arange(len(keys), device=keys.device)) % \
            self.queue_len
        self.queue[:, idx] = keys.t().to(self.queue.dtype)
        self.queue_ptr[0] = (ptr + len(keys)) % self.queue_len

    @staticmethod
    def composed_views(inputs: List[Tensor],
                       data_samples: List[DataSample]) -> tuple:
        """Query and key images and their masks (the batch paste).

        Args:
            inputs (list[Tensor]): 4 views, each (N, 3, H, W).
            data_samples (list[DataSample]): With ``paste_boxes`` (2, 4).

        Returns:
            tuple: ``(x_q, x_k, M^q, M^k)``, images (N, 3, H, W) and masks
            (N, H, W).
        """
        if len(inputs) != 4:
            raise ValueError(f'CP2 takes 4 views (2 foregrounds, 2 '
                             f'backgrounds), got {len(inputs)}.')
        if not data_samples or 'paste_boxes' not in data_samples[0]:
            raise KeyError('CP2 needs "paste_boxes" in each data sample: put '
                           'RandomPasteBox after MultiViewTransform and '
                           "PackInputs(algorithm_keys=['paste_boxes']).")
        boxes = torch.stack([torch.as_tensor(s.paste_boxes)
                             for s in data_samples]).to(inputs[0].device)
        h, w = inputs[0].shape[2:]
        mask_q = paste_masks(boxes[:, 0], h, w)
        mask_k = paste_masks(boxes[:, 1], h, w)
        # background of sample n: view 2/3 of sample n + 1 (another image)
        x_q = copy_paste(inputs[0], inputs[2].roll(-1, dims=0), mask_q)
        x_k = copy_paste(inputs[1], inputs[3].roll(-1, dims=0), mask_k)
        return x_q, x_k, mask_q, mask_k

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """``loss_instance`` (L_ins) and ``loss_dense`` (0.2 L_dense).

        Args:
            inputs (list[Tensor]): 4 views (N, 3, H, W).
            data_samples (list[DataSample]): With ``paste_boxes``.

        Returns:
            dict[str, Tensor]: The two weighted loss terms.
        """
        x_q, x_k, mask_q, mask_k = self.composed_views(inputs, data_samples)
        q_map = self.head.projector(self.neck(self.backbone(x_q)))
        grid = q_map.shape[2:]
        q_dense = nn.functional.normalize(q_map.flatten(2), dim=1)
        with torch.no_grad():
            self.encoder_k.update(self._online().parameters())
            distributed = get_world_size() > 1
            if distributed:
                x_k, idx_unshuffle = batch_shuffle_ddp(x_k)
            k_map = self.encoder_k(x_k)
            if distributed:
                k_map = batch_unshuffle_ddp(k_map, idx_unshuffle)
            k_dense = nn.functional.normalize(k_map.flatten(2), dim=1)
        m_q = mask_on_grid(mask_q, *grid).flatten(1)
        m_k = mask_on_grid(mask_k, *grid).flatten(1)
        loss_instance, loss_dense = self.head.loss(
            q_dense, k_dense.to(q_dense.dtype), m_q, m_k,
            self.queue.clone())
        k_pos = nn.functional.normalize(
            torch.einsum('ncl,nl->nc', k_dense, m_k), dim=1)
        self._dequeue_and_enqueue(k_pos)
        return dict(loss_instance=loss_instance, loss_dense=loss_dense)
