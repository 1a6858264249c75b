# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Dict, List, Optional, Union

from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from .pixpro import PixPro


@MODELS.register_module()
class DenseSiam(BaseSelfSupervisor):
    """DenseSiam: a Siamese network with pixel and region consistency.

    `Dense Siamese Network for Dense Unsupervised Learning
    <https://arxiv.org/abs/2203.11075>`_. No momentum encoder, no negative
    pixels: both views go through the same networks (each view on its own,
    BN statistics per view), and the loss is

        ``L = w_img L_img + w_pix L_pix + w_region L_region``

    - ``L_pix``, ``L_region``: :class:`DenseSiamHead` (``dense_head``) on the
      last backbone map, at the same points of the original image inside
      the two crops' overlap (the crop boxes of the data samples).
    - ``L_img`` (optional: ``neck`` and ``head`` given): mmpretrain's SimSiam
      loss ``0.5 D(p_1, sg(z_2)) + 0.5 D(p_2, sg(z_1))`` on the pooled map
      (``NonLinearNeck`` + ``LatentPredictHead`` with
      ``CosineSimilarityLoss``); the authors' code has this term as
      ``loss_global`` (off in their released segmentation config).

    Weights, as logged: ``loss_img``, ``loss_pix``, ``loss_region`` (each
    already multiplied by its weight; the total is their sum).

    Args:
        backbone (dict): Backbone config, e.g. mmpretrain's ResNet.
        dense_head (dict): :class:`DenseSiamHead` config.
        neck (dict, optional): Image-level projector, e.g. mmpretrain's
            ``NonLinearNeck`` (with average pooling). Defaults to None.
        head (dict, optional): Image-level head, e.g. ``LatentPredictHead``.
            Defaults to None.
        img_weight (float): ``w_img``. Defaults to 1.
        pix_weight (float): ``w_pix``. Defaults to 1.
        region_weight (float): ``w_region``. Defaults to 0.1 (the authors'
            ``loss_kernel_cross_weight``).
        pretrained (str, optional): Checkpoint to initialise from.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    # views 0 and 1 only, of any sizes (the overlap grid is resampled)
    supported_views = dict(num_views=2)

    def __init__(self,
                 backbone: dict,
                 dense_head: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 img_weight: float = 1.,
                 pix_weight: float = 1.,
                 region_weight: float = 0.1,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if (neck is None) != (head is None):
            raise ValueError('DenseSiam: the image-level term needs both '
                             '`neck` and `head` (or neither)')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.dense_head = MODELS.build(dense_head)
        self.img_weight = img_weight
        self.pix_weight = pix_weight
        self.region_weight = region_weight

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """The weighted DenseSiam losses of two views.

        Args:
            inputs (list[Tensor]): Two views, each (N, 3, H_v, W_v).
            data_samples (list[DataSample]): Each with ``crop_boxes`` (2, 4).

        Returns:
            dict[str, Tensor]: ``loss_pix``, ``loss_region`` and, with the
            image-level term, ``loss_img``.
        """
        if len(inputs) != 2:
            raise ValueError(f'DenseSiam needs 2 views, got {len(inputs)}')
        boxes = PixPro.gather_boxes(data_samples, inputs[0].device)
        if boxes.dim() != 3 or boxes.shape[1] != 2:
            raise ValueError('DenseSiam: crop_boxes of shape (2, 4) per '
                             f'sample needed, got {tuple(boxes.shape[1:])}')
        feats = [self.backbone(view) for view in inputs]  # tuples of maps
        dense = self.dense_head.loss(feats[0][-1], feats[1][-1], boxes[:, 0],
                                     boxes[:, 1])
        losses = dict(loss_pix=self.pix_weight * dense['pix'],
                      loss_region=self.region_weight * dense['region'])
        if self.with_neck:
            z_1 = self.neck(feats[0])[0]  # (N, D)
            z_2 = self.neck(feats[1])[0]
            loss_img = 0.5 * (self.head.loss(z_1, z_2) +
                              self.head.loss(z_2, z_1))
            losses['loss_img'] = self.img_weight * loss_img
        return losses
