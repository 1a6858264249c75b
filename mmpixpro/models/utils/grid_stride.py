# Copyright (c) mmpixpro contributors. All rights reserved.
"""The pixel stride of a backbone's patch grid (ViT), for the box geometry."""
from typing import Optional, Tuple

from mmpretrain.models import VisionTransformer
from torch import nn


def backbone_grid_stride(backbone: nn.Module) -> Optional[Tuple[int, int]]:
    """``(p_h, p_w)``: the stride in pixels of the backbone's output grid.

    A backbone may declare it as an attribute ``grid_stride`` (int or
    pair). mmpretrain's :class:`VisionTransformer` (and its subclasses)
    returns a grid of patch stride ``p`` (its patch embedding's convolution
    stride), padded at the bottom and right edges to ``ceil(S / p)`` cells
    when ``p`` does not divide the crop size ``S``; the bin centres are then
    at ``(i + 0.5) * p / S`` of the crop (see
    :func:`~mmpixpro.models.utils.grid_boxes`). Other backbones (ResNet,
    ConvNeXt, an FPN's levels of different strides) give None: their
    ``H_f x W_f`` map is taken to tile the crop (``p = S / n``), the
    convention of the PixPro paper's ResNet.

    Args:
        backbone (nn.Module): The backbone.

    Returns:
        tuple[int, int] | None: The stride, or None for "tiles the crop".
    """
    declared = getattr(backbone, 'grid_stride', None)
    if declared is not None:
        if isinstance(declared, int):
            return (declared, declared)
        return tuple(int(s) for s in declared)
    if isinstance(backbone, VisionTransformer):
        return tuple(int(s) for s in backbone.patch_embed.projection.stride)
    return None
