# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build tiny PixPro training checkpoints for the export tests."""
import torch

from mmpixpro.registry import MODELS


def build_pixpro(depth: int):
    """A PixPro with a small projector, target moved away from online."""
    width = 512 if depth < 50 else 2048
    model = MODELS.build(
        dict(
            type='PixPro',
            channels_last=False,
            backbone=dict(type='ResNet', depth=depth),
            neck=dict(
                type='PixelMLPNeck',
                in_channels=width,
                hid_channels=16,
                out_channels=8),
            head=dict(type='PixelPropagationHead', in_channels=8)))
    model.init_weights()
    with torch.no_grad():  # online != target, BN statistics non-trivial
        for param in model.target_net.parameters():
            param.add_(torch.randn_like(param))
        for name, buf in [*model.backbone.named_buffers(),
                          *model.target_net.named_buffers()]:
            if name.endswith('running_mean'):
                buf.normal_()
            elif name.endswith('running_var'):
                buf.uniform_(0.5, 2.0)
    return model


def save_training_checkpoint(state_dict, path):
    """Write a checkpoint the way the Runner does (state_dict + meta)."""
    torch.save({'state_dict': state_dict, 'meta': {'epoch': 1}}, str(path))
    return str(path)
