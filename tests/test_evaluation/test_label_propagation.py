# Copyright (c) mmpixpro contributors. All rights reserved.
"""Propagation with oracle features copies the mask exactly."""
import numpy as np
import torch
import torch.nn.functional as F
from oracle import PATCH, OracleBackbone, encode

from mmpixpro.evaluation import (PropagationConfig, evaluate_sequence,
                                 extract_features, propagate_labels)


def moving_band_masks(num_frames=6, cells=8):
    """A full-width band of object 1 moving down one patch a frame, and
    object 2 a band below it (no corners: bilinear upsampling is exact)."""
    masks = np.zeros((num_frames, cells * PATCH, cells * PATCH), np.int64)
    for t in range(num_frames):
        masks[t, t * PATCH:(t + 1) * PATCH] = 1
        masks[t, (t + 2) * PATCH:(t + 3) * PATCH] = 2
    return masks


def test_oracle_copies_mask_exactly():
    masks = moving_band_masks()
    feats = extract_features(OracleBackbone(), [encode(m) for m in masks])
    result = evaluate_sequence(feats, torch.from_numpy(masks),
                               PropagationConfig(radius=3))
    assert result['J'] == 1.0
    assert result['J_per_object'] == {1: 1.0, 2: 1.0}


def test_soft_labels_at_feature_resolution():
    labels = torch.tensor([[0, 1], [2, 2]])
    onehot = F.one_hot(labels, 3).permute(2, 0, 1).float()  # (3, 2, 2)
    feats = torch.stack([onehot, onehot.flip(1)])  # frame 1: rows swapped
    soft = propagate_labels(feats, onehot,
                            PropagationConfig(topk=1, radius=None))
    assert torch.allclose(soft[1], onehot.flip(1))


def test_wrong_features_give_low_j():
    masks = moving_band_masks()
    feats = torch.ones(len(masks), 4, 8, 8)  # no information at all
    result = evaluate_sequence(feats, torch.from_numpy(masks),
                               PropagationConfig(radius=None))
    assert result['J'] < 0.5
