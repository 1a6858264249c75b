# Copyright (c) mmpixpro contributors. All rights reserved.
"""DenseSiam: overlap geometry, PixSim, RegionSim and the algorithm.

Each expected value is computed here independently: by hand for the
geometry, by explicit loops over images, points and regions for the
losses.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmpixpro.models import DenseSiam, DenseSiamHead, RegionContrastLoss
from mmpixpro.models.utils.overlap_sampling import (overlap_boxes,
                                                    overlap_points,
                                                    sample_overlap)
from mmpixpro.utils import register_all_modules

register_all_modules()

# view A: top-left quarter, unflipped; view B: centre, flipped (x_ul > x_lr)
BOX_A = torch.tensor([[0.0, 0.0, 0.5, 0.5]])
BOX_B = torch.tensor([[0.75, 0.25, 0.25, 0.75]])


def test_overlap_of_two_known_boxes():
    overlap, valid = overlap_boxes(BOX_A, BOX_B)
    assert overlap.tolist() == [[0.25, 0.25, 0.5, 0.5]]
    assert valid.tolist() == [1.0]
    # disjoint boxes: no overlap
    _, valid = overlap_boxes(BOX_A, torch.tensor([[0.6, 0.6, 0.9, 0.9]]))
    assert valid.tolist() == [0.0]


def test_points_land_where_hand_computation_says():
    """S = 2 points of [0.25, 0.5]^2 are 0.3125 and 0.4375 per axis.

    Each view's map holds, at each bin, the original-image (x, y) of its
    bin centre; sampling it must return the hand-computed points in both
    views, the flipped one included.
    """
    overlap, _ = overlap_boxes(BOX_A, BOX_B)
    points = overlap_points(overlap, 2)
    hand = [0.3125, 0.4375]
    assert points[0, :, :, 0].tolist() == [hand, hand]  # x along columns
    assert points[0, :, :, 1].tolist() == [[hand[0]] * 2, [hand[1]] * 2]

    def coordinate_map(box, size=16):
        # bin centre of column c: x_ul + (c + 0.5) / size * (x_lr - x_ul)
        t = (torch.arange(size) + 0.5) / size
        xs = box[0] + t * (box[2] - box[0])
        ys = box[1] + t * (box[3] - box[1])
        return torch.stack([xs[None].expand(size, -1),
                            ys[:, None].expand(-1, size)])[None]  # 1,2,H,W

    for box in (BOX_A, BOX_B):
        sampled = sample_overlap(coordinate_map(box[0]), box, overlap, 2)
        assert torch.allclose(sampled[0, 0], torch.tensor([hand, hand]),
                              atol=1e-6)
        assert torch.allclose(sampled[0, 1],
                              torch.tensor([[hand[0]] * 2, [hand[1]] * 2]),
                              atol=1e-6)
    # flipped view B, 2 x 2 map: its column centres are at x = 0.625 (col
    # 0) and 0.375 (col 1); the right column holds 1. x = 0.4375 lies 3/4
    # of the way from col 0 to col 1 (weight 0.75); x = 0.3125 lies beyond
    # col 1's centre, towards B's edge 0.25 (border: 1)
    fmap = torch.zeros(1, 1, 2, 2)
    fmap[0, 0, :, 1] = 1.0
    sampled = sample_overlap(fmap, BOX_B, overlap, 2)
    assert torch.allclose(sampled[0, 0],
                          torch.tensor([[1.0, 0.75], [1.0, 0.75]]))


def small_head(**kwargs):
    cfg = dict(in_channels=6, num_regions=4, pix_hid_channels=8,
               region_channels=5, region_hid_channels=3, grid_size=3)
    cfg.update(kwargs)
    return DenseSiamHead(**cfg)


def loop_pixel_term(p1, z1, p2, z2, valid):
    """0.5 mean -cos(p1, z2) + 0.5 mean -cos(p2, z1) over valid points."""
    terms_12, terms_21 = [], []
    for n in range(p1.shape[0]):
        if valid[n] == 0:
            continue
        for i in range(p1.shape[2]):
            for j in range(p1.shape[3]):
                terms_12.append(-F.cosine_similarity(
                    p1[n, :, i, j], z2[n, :, i, j], dim=0))
                terms_21.append(-F.cosine_similarity(
                    p2[n, :, i, j], z1[n, :, i, j], dim=0))
    return 0.5 * torch.stack(terms_12).mean() + 0.5 * torch.stack(
        terms_21).mean()


def test_pixel_term_equals_explicit_loop():
    torch.manual_seed(0)
    head = small_head()
    p1, z1, p2, z2 = (torch.randn(3, 4, 3, 3) for _ in range(4))
    valid = torch.tensor([1., 0., 1.])
    got = head.pixel_term(p1, z1, p2, z2, valid)
    assert torch.allclose(got, loop_pixel_term(p1, z1, p2, z2, valid),
                          atol=1e-6)


def test_pixel_term_stops_gradient_into_targets():
    torch.manual_seed(0)
    head = small_head()
    p1, z1, p2, z2 = (torch.randn(2, 4, 3, 3, requires_grad=True)
                      for _ in range(4))
    head.pixel_term(p1, z1, p2, z2, torch.ones(2)).backward()
    assert z1.grad is None and z2.grad is None
    assert p1.grad.abs().sum() > 0 and p2.grad.abs().sum() > 0


def loop_region_nce(p, z, temperature):
    """Mean over images and regions k of -log softmax_m(p_k.z_m / T)[k]."""
    losses = []
    for n in range(p.shape[0]):
        for k in range(p.shape[1]):
            pk = p[n, k] / p[n, k].norm()
            logits = [float((pk @ (z[n, m] / z[n, m].norm())).detach()) /
                      temperature
                      for m in range(p.shape[1])]
            log_den = math.log(sum(math.exp(v) for v in logits))
            losses.append(log_den - logits[k])
    return sum(losses) / len(losses)


def test_region_loss_equals_explicit_loop():
    torch.manual_seed(0)
    p, z = torch.randn(2, 5, 7), torch.randn(2, 5, 7)
    got = RegionContrastLoss(temperature=0.1)(p, z)
    assert abs(float(got) - loop_region_nce(p, z, 0.1)) < 1e-4
    # a weight of 0 drops the image
    got = RegionContrastLoss(temperature=0.1)(p, z, torch.tensor([0., 1.]))
    assert abs(float(got) - loop_region_nce(p[1:], z[1:], 0.1)) < 1e-4


def test_region_embeddings_are_mask_weighted_sums():
    """r[k] = sum_ij softmax_k(z)[k, i, j] f[:, i, j], then g_r and h_r."""
    torch.manual_seed(0)
    head = small_head().eval()
    f = torch.randn(2, 6, 3, 3)
    z = torch.randn(2, 4, 3, 3)
    z_r, p_r = head.regions(f, z)
    for n in range(2):
        for k in range(4):
            r = torch.zeros(6)
            for i in range(3):
                for j in range(3):
                    w = torch.exp(z[n, k, i, j]) / torch.exp(
                        z[n, :, i, j]).sum()
                    r += w * f[n, :, i, j]
            expect = head.region_projector(r[None])[0]
            assert torch.allclose(z_r[n, k], expect, atol=1e-5)
            assert torch.allclose(p_r[n, k],
                                  head.region_predictor(expect[None])[0],
                                  atol=1e-5)


def test_head_loss_on_constructed_views():
    """The head's two terms against the loops, on two known crops."""
    torch.manual_seed(0)
    head = small_head().eval()  # BN with running stats: per-point maps
    feat_a, feat_b = torch.randn(1, 6, 4, 4), torch.randn(1, 6, 5, 5)
    out = head.loss(feat_a, feat_b, BOX_A, BOX_B)
    overlap, valid = overlap_boxes(BOX_A, BOX_B)
    f1 = sample_overlap(feat_a, BOX_A, overlap, 3)
    f2 = sample_overlap(feat_b, BOX_B, overlap, 3)
    z1, z2 = head.projector(f1), head.projector(f2)
    p1, p2 = head.predictor(z1), head.predictor(z2)
    assert torch.allclose(out['pix'],
                          loop_pixel_term(p1, z1, p2, z2, valid), atol=1e-6)
    zr1, pr1 = head.regions(f1, z1)
    zr2, pr2 = head.regions(f2, z2)
    region = 0.5 * (loop_region_nce(pr1, zr2, 0.1) +
                    loop_region_nce(pr2, zr1, 0.1))
    assert abs(float(out['region']) - region) < 1e-4


class StubBackbone(torch.nn.Module):
    """One strided conv returning a 1-tuple of maps, as mmpretrain's
    ResNet with ``out_indices=(3, )`` does (stride 8 here)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 64, 8, stride=8)

    def forward(self, x):
        return (self.conv1(x), )


def tiny_model(**kwargs):
    cfg = dict(
        backbone=StubBackbone(),
        dense_head=dict(type='DenseSiamHead', in_channels=64,
                        num_regions=8, pix_hid_channels=16,
                        region_channels=16, region_hid_channels=8,
                        grid_size=2),
        neck=dict(type='NonLinearNeck', in_channels=64, hid_channels=16,
                  out_channels=16, num_layers=2, with_last_bn_affine=False,
                  with_avg_pool=True),
        head=dict(type='LatentPredictHead',
                  loss=dict(type='CosineSimilarityLoss'),
                  predictor=dict(type='NonLinearNeck', in_channels=16,
                                 hid_channels=8, out_channels=16,
                                 with_avg_pool=False, with_last_bn=False,
                                 with_last_bias=True)))
    cfg.update(kwargs)
    return DenseSiam(**cfg)


def test_algorithm_losses_and_gradients():
    torch.manual_seed(0)
    model = tiny_model()
    views = [torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)]
    samples = []
    for boxes in ([[0, 0, .5, .5], [.75, .25, .25, .75]],
                  [[0, 0, 1, 1], [1, 0, 0, 1]]):
        s = DataSample()
        s.set_field(torch.tensor(boxes), 'crop_boxes')
        samples.append(s)
    losses = model.loss(views, samples)
    assert set(losses) == {'loss_pix', 'loss_region', 'loss_img'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    assert DenseSiam.supported_views == dict(num_views=2)
    with pytest.raises(ValueError):
        tiny_model(head=None)
