# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import List, Sequence

import torch
from mmpretrain.models import SelfSupDataPreprocessor
from torch import Tensor

from mmpixpro.registry import MODELS


def size_groups(views: Sequence[Tensor]) -> List[List[Tensor]]:
    """Split the views into runs of consecutive views of one size.

    Args:
        views (Sequence[Tensor]): Batched views in view order, each
            (N, C, h_v, w_v).

    Returns:
        list[list[Tensor]]: The views, grouped: a new group starts where
        ``(h_v, w_v)`` changes (two groups of one size that are not
        adjacent stay apart, so the view order is kept).
    """
    groups: List[List[Tensor]] = []
    for view in views:
        if groups and groups[-1][0].shape[-2:] == view.shape[-2:]:
            groups[-1].append(view)
        else:
            groups.append([view])
    return groups


@MODELS.register_module()
class MultiViewDataPreprocessor(SelfSupDataPreprocessor):
    """Normalise N views of several sizes, one stacked tensor per size.

    With mmengine's ``default_collate`` the views of
    :class:`~mmpixpro.datasets.MultiViewTransform` arrive as one
    ``uint8`` tensor (N, 3, h_v, w_v) per view v (a view has one size in
    every sample, so views of different sizes collate as they are).
    Consecutive views of one size form a size group (:func:`size_groups`),
    e.g. 2 global views at 224 px and 6 local views at 96 px; each group is
    stacked into one (V_g, N, 3, h, w) tensor and channel-converted, cast
    and normalised (``(x - mean) / std``) at once, with the arithmetic of
    :class:`SelfSupDataPreprocessor`, so each view gets the same values.

    ``inputs`` is then the list of the group tensors (``stack_groups=True``:
    ``group.flatten(0, 1)`` is the (V_g * N, 3, h, w) batch of one forward
    pass, ``group[k]`` the k-th view of the group), or the list of the
    views, (N, 3, h_v, w_v) each, in view order (``stack_groups=False``:
    what the two-view algorithms such as :class:`PixPro` consume). The
    views of group g are views ``sum(V_0..V_{g-1})`` onwards, in the order
    of the rows of each sample's ``crop_boxes``. A single batched tensor
    (one view) is handled as by :class:`SelfSupDataPreprocessor`.

    Args:
        stack_groups (bool): Return one tensor per size group (True) or one
            per view (False). Defaults to True.
        **kwargs: The arguments of :class:`SelfSupDataPreprocessor`
            (``mean``, ``std``, ``to_rgb``, ...).
    """

    def __init__(self, stack_groups: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stack_groups = stack_groups

    def normalize(self, images: Tensor) -> Tensor:
        """Channel conversion, cast to float, ``(x - mean) / std``.

        Args:
            images (Tensor): Images (..., 3, h, w), e.g. (V_g, N, 3, h, w).

        Returns:
            Tensor: Float images of the same shape.
        """
        if self._channel_conversion:
            images = images[..., [2, 1, 0], :, :]
        images = images.float()
        if self._enable_normalize:
            images = (images - self.mean) / self.std
        return images

    def forward(self, data: dict, training: bool = False) -> dict:
        """Move to the device, group by size, normalise.

        Args:
            data (dict): ``inputs`` (a list of per-view batches, or one
                batch) and ``data_samples`` from ``default_collate``.
            training (bool): Unused (as in the parent).

        Returns:
            dict: ``inputs`` (list of (V_g, N, 3, h, w) group tensors, or
            of (N, 3, h_v, w_v) views) and ``data_samples``.
        """
        if not isinstance(data['inputs'], (list, tuple)):
            return super().forward(data, training)
        data = self.cast_data(data)
        groups = [
            self.normalize(torch.stack(group))
            for group in size_groups(data['inputs'])
        ]
        if not self.stack_groups:
            groups = [view for group in groups for view in group.unbind(0)]
        return dict(inputs=groups, data_samples=data.get('data_samples'))
