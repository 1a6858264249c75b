# Copyright (c) mmpixpro contributors. All rights reserved.
"""Linear probe + kNN readout: oracle features solve the task, constant
features stay at chance."""
import torch
from oracle import (PATCH, K, ConstantBackbone, OracleBackbone,
                    make_split)

from mmpixpro.evaluation import DenseProbeConfig, run_dense_probe

CFG = dict(epochs=60, lr=0.1, batch_size=8, knn_k=3)


def data(block=PATCH):
    return {'train': make_split(0, 24, block), 'test': make_split(1, 8, block)}


def test_oracle_features_reach_miou_one():
    # label squares of 4 x 4 patches: bilinear upsampling of the logits
    # can only err near the corners where squares of 3 classes meet
    result = run_dense_probe(OracleBackbone(), data(4 * PATCH), CFG)
    assert result['mIoU'] > 0.97
    assert result['knn_mIoU'] > 0.97
    assert result['pixel_acc'] > 0.98


def test_constant_features_stay_at_chance():
    result = run_dense_probe(ConstantBackbone(), data(), CFG)
    # one class everywhere: its IoU is at most 1, the others 0
    assert result['mIoU'] <= 1 / K + 1e-6
    assert result['knn_mIoU'] <= 1 / K + 1e-6


def test_train_mode_restored_and_rng_untouched():
    backbone = OracleBackbone().train()
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    run_dense_probe(backbone, data(), DenseProbeConfig(**CFG))
    assert backbone.training
    assert torch.equal(torch.rand(1), expected)
