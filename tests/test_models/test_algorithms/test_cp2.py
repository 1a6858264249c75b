# Copyright (c) mmpixpro contributors. All rights reserved.
"""CP2: the paste rectangle and mask, mask pooling, the loss (InfoNCE +
0.2 x dense) by explicit loops, the ASPP names, and a training step."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmpixpro.datasets.transforms import RandomPasteBox, sample_paste_box
from mmpixpro.models.losses import CP2Loss, mask_pool
from mmpixpro.models.utils.paste import copy_paste, mask_on_grid, paste_masks
from mmpixpro.registry import MODELS
from mmpixpro.utils import register_all_modules

register_all_modules()


def test_paste_mask_of_a_known_rectangle():
    mask = paste_masks(torch.tensor([[2, 1, 5, 3]]), 4, 6)[0]
    expected = torch.zeros(4, 6)
    for y in range(4):
        for x in range(6):
            if 2 <= x < 5 and 1 <= y < 3:
                expected[y, x] = 1
    assert torch.equal(mask, expected)
    fg, bg = torch.full((1, 3, 4, 6), 7.), torch.full((1, 3, 4, 6), -1.)
    out = copy_paste(fg, bg, mask[None])
    assert torch.equal(out[0, 0], torch.where(expected > 0, 7., -1.))
    # feature (i, j) reads the mask at the cell centre (s//2 + s*i): s = 2
    grid = mask_on_grid(mask[None], 2, 3)[0]
    assert torch.equal(grid, expected[1::2, 1::2])


def test_paste_box_follows_random_erasing():
    rng = np.random.RandomState(0)
    areas, ratios = [], []
    for _ in range(300):
        x0, y0, x1, y1 = sample_paste_box(64, 64, rng=rng)
        assert 0 <= x0 < x1 <= 64 and 0 <= y0 < y1 <= 64
        areas.append((x1 - x0) * (y1 - y0) / 64**2)
        ratios.append((y1 - y0) / (x1 - x0))
    # rounding of h, w moves the area/aspect slightly past the ranges
    assert 0.47 < min(areas) and max(areas) < 0.83
    assert 0.75 < min(ratios) and max(ratios) < 1.33
    views = [np.zeros((32, 32, 3), np.uint8)] * 4
    out = RandomPasteBox()(dict(img=views))
    assert out['paste_boxes'].shape == (2, 4)


def test_mask_pooling_of_known_features():
    dense = torch.tensor([[[1., 0., 0.], [0., 1., 0.]]])  # (1, C=2, L=3)
    pooled = mask_pool(dense, torch.tensor([[1., 1., 0.]]))
    assert torch.allclose(pooled, torch.tensor([[1., 1.]]) / math.sqrt(2))
    pooled = mask_pool(dense, torch.tensor([[0., 0., 1.]]))
    assert torch.all(pooled == 0)  # feature 3 is 0: nothing to pool


def reference_loss(q, k, mq, mk, queue, t, lam, over):
    """By loops: InfoNCE of pooled q, k + lam x dense term."""
    n_img, _, n_pix = q.shape
    ins, dense = 0.0, 0.0
    for n in range(n_img):
        qp = sum(mq[n, x] * q[n, :, x] for x in range(n_pix))
        kp = sum(mk[n, y] * k[n, :, y] for y in range(n_pix))
        qp, kp = qp / qp.norm(), kp / kp.norm()
        pos = math.exp(float(qp @ kp) / t)
        neg = sum(math.exp(float(qp @ queue[:, i]) / t)
                  for i in range(queue.shape[1]))
        ins += -math.log(pos / (pos + neg))
        total, count = 0.0, 0
        for x in range(n_pix):
            for y in range(n_pix):
                if mq[n, x] * mk[n, y] == 0:
                    continue
                s = float(q[n, :, x] @ k[n, :, y])
                if over == 'query':  # softmax over the query pixels x'
                    z = sum(math.exp(float(q[n, :, xx] @ k[n, :, y]))
                            for xx in range(n_pix))
                else:  # over the key pixels y'
                    z = sum(math.exp(float(q[n, :, x] @ k[n, :, yy]))
                            for yy in range(n_pix))
                total += -(s - math.log(z))
                count += 1
        dense += total / count
    return ins / n_img, lam * dense / n_img


@pytest.mark.parametrize('over', ['query', 'key'])
def test_loss_equals_explicit_loops(over):
    g = torch.Generator().manual_seed(0)
    q = F.normalize(torch.randn(2, 5, 6, generator=g), dim=1)
    k = F.normalize(torch.randn(2, 5, 6, generator=g), dim=1)
    mq = torch.tensor([[1., 1., 0., 1., 0., 0.], [0., 1., 1., 1., 1., 0.]])
    mk = torch.tensor([[0., 1., 1., 0., 0., 1.], [1., 1., 0., 0., 1., 1.]])
    queue = F.normalize(torch.randn(5, 7, generator=g), dim=0)
    loss = CP2Loss(temperature=0.2, dense_weight=0.2, normalize_over=over)
    ins, dense = loss(q, k, mq, mk, queue)
    ref_ins, ref_dense = reference_loss(q.double(), k.double(), mq, mk,
                                        queue.double(), 0.2, 0.2, over)
    assert ins.item() == pytest.approx(ref_ins, rel=1e-5)
    assert dense.item() == pytest.approx(ref_dense, rel=1e-5)


def tiny_cp2(**kwargs):
    return MODELS.build(dict(
        type='CP2', queue_len=8, feat_dim=8, **kwargs,
        data_preprocessor=dict(type='SelfSupDataPreprocessor',
                               mean=[0., 0., 0.], std=[1., 1., 1.]),
        backbone=dict(type='ResNet', depth=18, stem_channels=8,
                      base_channels=8, strides=(1, 2, 2, 1),
                      dilations=(1, 1, 1, 2)),
        neck=dict(type='ASPPNeck', in_channels=64, channels=8,
                  dilations=(1, 2)),
        head=dict(type='CP2Head', in_channels=8, hid_channels=8,
                  out_channels=8)))


def test_aspp_names_are_mmseg_aspphead():
    from mmpixpro.export import mmseg_aspp_shapes
    neck = MODELS.build(dict(type='ASPPNeck', in_channels=16, channels=4))
    shapes = {k: tuple(v.shape) for k, v in neck.state_dict().items()}
    assert shapes == mmseg_aspp_shapes(16, 4, (1, 6, 12, 18))
    assert neck(torch.randn(2, 16, 5, 5)).shape == (2, 4, 5, 5)


def test_contract_dilation_as_mmseg():
    model = tiny_cp2()
    for net in (model.backbone, model.encoder_k.module[0]):
        first, second = net.layer4[0].conv1, net.layer4[1].conv1
        assert first.dilation == first.padding == (1, 1)
        assert second.dilation == second.padding == (2, 2)
        assert net.layer3[0].conv1.dilation == (1, 1)


def test_key_network_momentum_is_its_weight():
    model = tiny_cp2()
    assert model.momentum == model.encoder_k.momentum == 0.999
    model.momentum = 0.5
    assert model.encoder_k.momentum == 0.5
    assert tiny_cp2(base_momentum=0.99).momentum == 0.99
    # mmpretrain's convention (1 - m) is refused, not trained with
    with pytest.raises(ValueError, match='weight of the momentum copy'):
        tiny_cp2(base_momentum=0.001)


def test_training_step_pastes_and_enqueues():
    torch.manual_seed(0)
    model = tiny_cp2()
    model.init_weights()
    views = [torch.rand(2, 3, 32, 32) for _ in range(4)]
    boxes = torch.tensor([[0, 0, 16, 32], [16, 0, 32, 32]])
    samples = [DataSample(paste_boxes=boxes) for _ in range(2)]
    x_q, x_k, m_q, m_k = model.composed_views(views, samples)
    # sample 0: foreground of its own view 0 on the left, background of
    # sample 1's view 2 on the right
    assert torch.equal(x_q[0, :, :, :16], views[0][0, :, :, :16])
    assert torch.equal(x_q[0, :, :, 16:], views[2][1, :, :, 16:])
    assert torch.equal(x_k[1, :, :, 16:], views[1][1, :, :, 16:])
    assert torch.equal(x_k[1, :, :, :16], views[3][0, :, :, :16])
    losses = model.loss(views, samples)
    assert set(losses) == {'loss_instance', 'loss_dense'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert int(model.queue_ptr) == 2
    sum(losses.values()).backward()
    assert model.backbone.conv1.weight.grad is not None
    assert model.encoder_k.module[0].conv1.weight.grad is None
