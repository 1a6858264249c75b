# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmpretrain's SwAV on the library's multi-crop views.

`SwAV <https://arxiv.org/abs/2006.09882>`_ (Caron et al., NeurIPS 2020)
predicts, from the embedding ``z_t`` of a view t, the code ``q_s`` of
another view s of the same image. The codes are soft assignments of the
embeddings of the assigned views (views 0 and 1, the global crops) to K
prototypes ``c_k``, computed online by 3 Sinkhorn-Knopp iterations on
``exp(z^T C / eps)`` (``eps = 0.05``) over the batch (and a queue of
earlier embeddings); the prediction is ``softmax(z_t^T C / tau)``
(``tau = 0.1``) and the loss is the cross-entropy
``-sum_k q_s^(k) log p_t^(k)``, averaged over the samples, over the other
views t (``V - 1`` of them) and over the assigned views s.

The networks and the loss are mmpretrain's (``SwAVNeck``, ``SwAVHead``,
``SwAVLoss``), unchanged; the queue is driven by
:class:`~mmpixpro.engine.hooks.SwAVQueueHook` (mmpretrain's ``SwAVHook``
with the queue kept in the checkpoint).
"""
from typing import Dict, List, Sequence

from mmpretrain.models import SwAV
from mmpretrain.structures import DataSample
from torch import Tensor

from mmpixpro.registry import MODELS


def per_view(inputs: Sequence[Tensor]) -> List[Tensor]:
    """The views one by one, (N, 3, h_v, w_v) each, in view order.

    Args:
        inputs (Sequence[Tensor]): Per-view batches (N, 3, h_v, w_v), or
            size groups stacked by ``MultiViewDataPreprocessor``
            (V_g, N, 3, h, w), or a mix.

    Returns:
        list[Tensor]: One (N, 3, h_v, w_v) tensor per view.
    """
    views: List[Tensor] = []
    for x in inputs:
        views.extend(x.unbind(0) if x.dim() == 5 else [x])
    return views


@MODELS.register_module()
class MultiCropSwAV(SwAV):
    """mmpretrain's ``SwAV`` that declares and checks the views it takes.

    Named apart from mmpretrain's ``SwAV`` (not shadowing it in scope
    ``mmpixpro``), as ``MomentumBYOL``/``MomentumMoCo`` are: a config that
    names ``SwAV`` gets mmpretrain's class exactly, one that names
    ``MultiCropSwAV`` gets these checks. The loss is mmpretrain's
    (``SwAV.loss``: one backbone pass per run of views of one size, then
    ``SwAVNeck`` and ``SwAVLoss``); what this class adds:

    - ``supported_views = dict(min_views=2)``: the swapped prediction needs
      a second view (one view leaves no view t != s, and
      ``crops_for_assign=[0, 1]`` names two); the sizes may differ (e.g.
      2 x 224 + 6 x 96 px), so the config check
      (:func:`mmpixpro.utils.check_config`) refuses a pipeline of one view.
    - The number of views must equal ``sum(num_crops)`` of ``SwAVLoss``
      (which cuts the concatenated embeddings into views of
      ``N = len / sum(num_crops)`` rows and would slice wrongly, silently,
      otherwise), and the assigned views must exist: a ``ValueError``
      names the key to change.
    - Inputs may be per-view batches (``MultiViewDataPreprocessor`` with
      ``stack_groups=False``, as the configs use) or stacked size groups
      (``stack_groups=True``); both give the same views in the same order.

    The arguments are those of mmpretrain's ``SwAV`` (its base
    ``BaseSelfSupervisor``), unchanged.

    Args:
        backbone (dict): The backbone config (e.g. a ResNet).
        neck (dict, optional): The neck config (``SwAVNeck``: the
            projection to the embedding z). Defaults to None.
        head (dict, optional): The head config (``SwAVHead`` with
            ``SwAVLoss``: the prototypes, Sinkhorn and the swapped
            prediction). Defaults to None.
        target_generator (dict, optional): Unused by SwAV. Defaults to
            None.
        pretrained (str, optional): Deprecated by mmpretrain (use
            ``init_cfg``). Defaults to None.
        data_preprocessor (dict | Module, optional): The preprocessor
            (``MultiViewDataPreprocessor`` in the configs). Defaults to
            None.
        init_cfg (dict, optional): The initialisation config. Defaults to
            None.
    """

    supported_views = dict(min_views=2)

    def loss(self, inputs: Sequence[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """The SwAV loss of a batch of V views.

        Args:
            inputs (Sequence[Tensor]): V views (N, 3, h_v, w_v) in view
                order (or stacked size groups (V_g, N, 3, h, w)); views of
                one size must be consecutive (one backbone pass per run).
            data_samples (list[DataSample]): Unused (as in the parent).

        Returns:
            dict[str, Tensor]: ``loss``, a scalar.

        Raises:
            ValueError: If V differs from ``sum(num_crops)`` of the loss,
                or an assigned view is not among the V views.
        """
        views = per_view(inputs)
        loss_module = self.head.loss_module
        expected = int(sum(loss_module.num_crops))
        if len(views) != expected:
            raise ValueError(
                f'{type(self).__name__}: {len(views)} views, but '
                f'model.head.loss.num_crops={list(loss_module.num_crops)} '
                f'says {expected}; make num_crops the views per size of the '
                'pipeline (e.g. [2, 6] for 2 x 224 + 6 x 96 px)')
        missing = [v for v in loss_module.crops_for_assign
                   if not 0 <= v < len(views)]
        if missing:
            raise ValueError(
                f'{type(self).__name__}: crops_for_assign names views '
                f'{missing} of {len(views)}')
        return super().loss(views, data_samples, **kwargs)
