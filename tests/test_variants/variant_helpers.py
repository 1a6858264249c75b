# Copyright (c) mmpixpro contributors. All rights reserved.
"""Small models and batches shared by the variant tests."""
import torch
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS

BOXES = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.2, 0.1, 0.9, 0.8]])


def build(cfg: dict):
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def small_pixpro_cfg(**kwargs) -> dict:
    cfg = dict(
        type='PixPro',
        backbone=dict(type='ResNet', depth=18),
        neck=dict(
            type='PixelMLPNeck',
            in_channels=512,
            hid_channels=64,
            out_channels=32),
        head=dict(type='PixelPropagationHead', in_channels=32))
    cfg.update(kwargs)
    return cfg


def two_views(n: int = 2, size: int = 64, boxes=BOXES):
    inputs = [torch.randn(n, 3, size, size) for _ in range(2)]
    samples = []
    for _ in range(n):
        s = DataSample()
        s.set_field(boxes.clone(), 'crop_boxes')
        samples.append(s)
    return inputs, samples
