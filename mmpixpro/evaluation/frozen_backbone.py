# Copyright (c) mmpixpro contributors. All rights reserved.
"""Frozen backbones for dense evaluation, and their features.

A backbone comes from one of our training checkpoints (``backbone.*`` of the
online network), an mm-format export (``backbone.*``), a bare torchvision /
our torchvision export (``conv1.weight``, ..., ``fc.*`` dropped), or random
initialisation; ResNets by default, any backbone of a training config
(:func:`load_config_backbone`, e.g. a ViT's patch map). Loading is strict: a
missing or unexpected key is an error.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from mmpixpro.checkpoint import (BACKBONE_PREFIX, check_keys_and_shapes,
                                 infer_resnet_depth, load_state_dict,
                                 shapes_of, strip_prefix)
from mmpixpro.export import PIXEL_MEAN, PIXEL_STD

# stage name -> index of the residual stage whose output it is
STAGES = {'C2': 0, 'C3': 1, 'C4': 2, 'C5': 3}


def build_resnet(depth: int) -> nn.Module:
    """An mmpretrain ``ResNet`` (plain stem, BN) returning C5.

    Args:
        depth (int): 18, 34, 50, 101 or 152.

    Returns:
        nn.Module: The network, in eval mode.
    """
    from mmpretrain.models import ResNet
    model = ResNet(depth=depth, out_indices=(3, ), norm_cfg=dict(type='BN'),
                   zero_init_residual=False)
    model.eval()  # mmpretrain's ResNet.train() does not return self
    return model


def random_init_(model: nn.Module) -> None:
    """He-normal (fan-out) convs, BN weight 1 / bias 0, no zero-init."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode='fan_out',
                                    nonlinearity='relu')
        elif isinstance(module, nn.modules.batchnorm._BatchNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)


def backbone_weights(path: str) -> dict:
    """The ResNet weights of a checkpoint, without prefix or ``fc.*``.

    Args:
        path (str): Our training checkpoint, an mm-format export or a
            torchvision-style ResNet state_dict.

    Returns:
        dict[str, Tensor]: Backbone weights.
    """
    state = load_state_dict(path)
    if any(k.startswith(BACKBONE_PREFIX) for k in state):
        return strip_prefix(state, BACKBONE_PREFIX)
    return {k: v for k, v in state.items() if not k.startswith('fc.')}


def load_frozen_backbone(checkpoint: Optional[str] = None,
                         depth: Optional[int] = None,
                         seed: int = 0) -> nn.Module:
    """Build a ResNet from a checkpoint (strictly) or at random, frozen.

    Random initialisation: He-normal convs, BN weight 1, bias 0,
    WITHOUT zero-initialised last BN of each block, so that every residual
    branch is active; BN running statistics stay at mean 0, variance 1.

    Args:
        checkpoint (str, optional): Weights file; None for random init.
        depth (int, optional): ResNet depth; inferred from the checkpoint,
            required for random init.
        seed (int): Seed of the random initialisation. Defaults to 0.

    Returns:
        nn.Module: The backbone in eval mode, ``requires_grad`` off.
    """
    if checkpoint is None:
        if depth is None:
            raise ValueError('random init needs a depth')
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            model = build_resnet(depth)
            random_init_(model)
    else:
        weights = backbone_weights(checkpoint)
        found = infer_resnet_depth(weights, checkpoint)
        if depth is not None and depth != found:
            raise ValueError(f'{checkpoint}: ResNet-{found}, not {depth}')
        model = build_resnet(found)
        check_keys_and_shapes(
            weights, shapes_of(model.state_dict()),
            f'{checkpoint} (vs ResNet-{found})')
        model.load_state_dict(weights, strict=True)
    for param in model.parameters():
        param.requires_grad_(False)
    model.eval()
    return model


def load_config_backbone(config: str,
                         checkpoint: Optional[str] = None,
                         seed: int = 0) -> nn.Module:
    """The backbone of a training config (e.g. a ViT), frozen.

    ``model.backbone`` of the config is built (any registered backbone:
    mmpretrain's ``VisionTransformer`` with ``out_type='featmap'``, Swin,
    ConvNeXt, ...) and loaded strictly from the ``backbone.*`` keys of a
    checkpoint (our training checkpoint or an mm-format export), or left
    at the backbone's own initialisation (``init_weights``) under ``seed``.
    The dense readout then takes its output map (:func:`last_feature_map`).

    Args:
        config (str): The training config file.
        checkpoint (str, optional): Weights file; None for the backbone's
            random initialisation.
        seed (int): Seed of the random initialisation. Defaults to 0.

    Returns:
        nn.Module: The backbone in eval mode, ``requires_grad`` off.
    """
    from mmengine.config import Config

    import mmpixpro.models  # noqa: F401 (registers our backbones)
    from mmpixpro.registry import MODELS
    cfg = Config.fromfile(config)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = MODELS.build(cfg.model.backbone)
        if checkpoint is None:
            model.init_weights()
    if checkpoint is not None:
        weights = backbone_weights(checkpoint)
        check_keys_and_shapes(weights, shapes_of(model.state_dict()),
                              f'{checkpoint} (vs {config} backbone)')
        model.load_state_dict(weights, strict=True)
    for param in model.parameters():
        param.requires_grad_(False)
    model.eval()
    return model


def resnet_stage(backbone: nn.Module, x: Tensor, stage: str) -> Tensor:
    """Run a ResNet up to ``stage`` whatever its ``out_indices``.

    Args:
        backbone (nn.Module): An mmpretrain-style ResNet (``conv1``,
            ``norm1``/``bn1`` or ``stem``, ``maxpool``, ``layer1-4``).
        x (Tensor): (N, 3, H, W) normalised images.
        stage (str): ``'C2'`` .. ``'C5'`` (strides 4 .. 32).

    Returns:
        Tensor: (N, C, H / stride, W / stride).
    """
    if stage not in STAGES:
        raise ValueError(f'stage must be one of {list(STAGES)}, got {stage}')
    if getattr(backbone, 'deep_stem', False):
        x = backbone.stem(x)
    else:
        x = backbone.relu(backbone.norm1(backbone.conv1(x)))
    x = backbone.maxpool(x)
    for name in backbone.res_layers[:STAGES[stage] + 1]:
        x = getattr(backbone, name)(x)
    return x


def normalise_images(images: np.ndarray) -> Tensor:
    """uint8 (N, H, W, 3) RGB -> float (N, 3, H, W), pretraining mean/std.

    Args:
        images (np.ndarray): RGB images, uint8.

    Returns:
        Tensor: Normalised float32 batch.
    """
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    mean = torch.tensor(PIXEL_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(PIXEL_STD).view(1, 3, 1, 1)
    return (x.float() - mean) / std


def last_feature_map(out) -> Tensor:
    """The map a dense readout takes from a backbone's output.

    Args:
        out (Tensor | Sequence[Tensor]): A map (N, C, h, w) or a tuple of
            them (mmpretrain backbones return one map per out index).

    Returns:
        Tensor: ``out`` itself, or the last map of the tuple with more
        than one cell (the last map if all are 1 x 1): a 1 x 1 map next to
        a grid is a class token
        (:class:`~mmpixpro.models.ViTPatchAndClassMaps` returns the patch
        map, then the class token), not a patch grid.

    Raises:
        ValueError: If there is no (N, C, h, w) map.
    """
    if isinstance(out, Tensor):
        maps = [out]
    else:
        maps = [m for m in out if isinstance(m, Tensor) and m.dim() == 4]
    grids = [m for m in maps if m.shape[-2:].numel() > 1] or maps
    if not grids:
        raise ValueError(
            'A dense readout needs a feature map (N, C, h, w) from the '
            "backbone (e.g. out_type='featmap' for a ViT), got "
            f'{[tuple(m.shape) for m in maps] or type(out).__name__}')
    return grids[-1]


@torch.no_grad()
def extract_features(backbone: nn.Module, images: Sequence[np.ndarray],
                     stage: str = 'C5', batch_size: int = 16) -> Tensor:
    """Frozen features of a list of equally sized images.

    The backbone runs in eval mode (BN running statistics); its previous
    train/eval state is restored, so a training hook may call this.

    Args:
        backbone (nn.Module): A ResNet (see :func:`resnet_stage`); another
            module (e.g. a ViT with ``out_type='featmap'``) gives its
            output map, or the last map of its output tuple
            (:func:`last_feature_map`).
        images (Sequence[np.ndarray]): (H, W, 3) uint8 RGB images.
        stage (str): Stage for ResNets. Defaults to ``'C5'``.
        batch_size (int): Images per forward. Defaults to 16.

    Returns:
        Tensor: (N, C, h, w) float32 on the CPU.
    """
    was_training = backbone.training
    backbone.eval()
    device = next(iter(backbone.parameters()), torch.empty(0)).device
    is_resnet = hasattr(backbone, 'res_layers')
    feats = []
    try:
        for start in range(0, len(images), batch_size):
            x = normalise_images(np.stack(images[start:start + batch_size]))
            x = x.to(device)
            out = resnet_stage(backbone, x, stage) if is_resnet else \
                last_feature_map(backbone(x))
            feats.append(out.float().cpu())
    finally:
        backbone.train(was_training)
    return torch.cat(feats)
