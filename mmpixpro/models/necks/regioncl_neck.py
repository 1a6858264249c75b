# Copyright (c) mmpixpro contributors. All rights reserved.
"""RegionCL's neck: MoCo v2's MLP on whole images, or on the canvas and the
paste region of swapped images."""
from typing import Optional, Sequence, Tuple, Union

import torch
from mmpretrain.models.necks import MoCoV2Neck
from torch import Tensor

from mmpixpro.registry import MODELS
from ..utils.region_swap import SwapBox


@MODELS.register_module()
class RegionCLNeck(MoCoV2Neck):
    """MoCo v2's ``fc-relu-fc`` neck that also pools the two regions of a
    swapped image (`RegionCL <https://arxiv.org/abs/2111.12309>`_, the
    authors' ``RegionCLNonLinearNeckV1``).

    Without a box it is :class:`MoCoV2Neck` (global average pool, MLP).
    With the swap box ``b`` (in bins of the map) it average-pools, for each
    swapped image, the bins inside ``b`` (the paste region) and the bins
    outside ``b`` (the canvas), and projects both with the same MLP:

    ``paste_j = g(mean_{p in b} x_j(p))``,
    ``canvas_j = g(mean_{p not in b} x_j(p))``.

    Args:
        in_channels (int): Channels of the map.
        hid_channels (int): Hidden channels of the MLP.
        out_channels (int): Output channels.
        with_avg_pool (bool): Pool the map (whole-image mode). Defaults to
            True.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def forward(  # type: ignore[override]
        self,
        x: Sequence[Tensor],
        box: Optional[SwapBox] = None
    ) -> Union[Tuple[Tensor], Tuple[Tensor, Tensor]]:
        """Project the images, or their canvas and paste regions.

        Args:
            x (Sequence[Tensor]): one map, (B, C_in, h, w).
            box (SwapBox, optional): ``(top, left, height, width)`` of the
                paste region in bins of the map. None: whole images.

        Returns:
            tuple[Tensor]: without a box, ``(z, )`` of shape (B, C_out);
            with a box, ``(canvas, paste)``, each (B, C_out), row ``j`` for
            swapped image ``j`` (its paste region shows image B - 1 - j).
        """
        if box is None:
            return super().forward(x)
        assert len(x) == 1
        feat = x[0]  # (B, C, h, w)
        t, l, h, w = box
        if not (h > 0 and w > 0 and t + h <= feat.shape[2]
                and l + w <= feat.shape[3]):
            raise ValueError(f'box {tuple(box)} outside a '
                             f'{tuple(feat.shape[2:])} map')
        inside = torch.zeros(feat.shape[2:], dtype=torch.bool,
                             device=feat.device)
        inside[t:t + h, l:l + w] = True
        paste = feat[:, :, inside].mean(dim=2)  # (B, C)
        canvas = feat[:, :, ~inside].mean(dim=2)  # (B, C)
        canvas, paste = self.mlp(torch.cat([canvas, paste])).chunk(2)
        return canvas, paste
