# Copyright (c) mmpixpro contributors. All rights reserved.
"""Read a network's output channels from one dummy forward."""
from typing import Sequence, Tuple

import torch
from torch import Tensor, nn


@torch.no_grad()
def probe_feature_channels(networks: Sequence[nn.Module],
                           input_size: Tuple[int, int] = (224, 224)) -> int:
    """Channels of the maps a chain of networks returns for one image.

    The chain (e.g. ``[backbone]`` or ``[backbone, fpn]``) is run once in
    eval mode on a zero image; the train/eval state of every network is
    restored afterwards. All returned maps must have the same channels,
    because one per-pixel projector is applied to each of them.

    Args:
        networks (Sequence[nn.Module]): Networks applied in order, the first
            taking an image of shape (1, 3, H, W), each returning a map or a
            tuple of maps of shape (1, C, h, w).
        input_size (tuple[int, int]): ``(H, W)`` of the dummy image.
            Defaults to (224, 224), the size most backbones are built for.

    Returns:
        int: The channels ``C`` of the output maps.
    """
    modes = [net.training for net in networks]
    param = next(p for net in networks for p in net.parameters())
    x = torch.zeros(1, 3, *input_size, dtype=param.dtype, device=param.device)
    try:
        for net in networks:
            net.eval()  # some backbones' train() does not return self
            x = net(x)
    finally:
        for net, mode in zip(networks, modes):
            net.train(mode)
    maps = (x, ) if isinstance(x, Tensor) else tuple(x)
    if any(m.dim() != 4 for m in maps):
        raise ValueError(
            'The backbone must return feature maps (N, C, H, W), got shapes '
            f'{[tuple(m.shape) for m in maps]}; e.g. set '
            "gap_before_final_norm=False (ConvNeXt) or out_type='featmap' "
            '(ViT).')
    channels = {m.shape[1] for m in maps}
    if len(channels) != 1:
        raise ValueError('One projector needs maps of equal channels, got '
                         f'{sorted(channels)}: select one map with the '
                         "backbone's out_indices or add an FPN.")
    return channels.pop()
