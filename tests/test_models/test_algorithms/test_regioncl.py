# Copyright (c) mmpixpro contributors. All rights reserved.
"""RegionCL-M: the instance, canvas and paste InfoNCE terms of a known
batch, box and queue, computed here by explicit loops."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

import mmpixpro.models.algorithms.regioncl as regioncl
from mmpixpro.models.utils.region_swap import SwapBox
from pixpro_testing import ROOT, build

T = 0.2
B, SIZE, K = 3, 96, 6  # odd batch: image 1 swaps with itself
BOX = SwapBox(top=32, left=0, height=32, width=64)  # px, 3 x 3 cells


def tiny_cfg() -> dict:
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'regioncl', 'regionclm_r18_demo.py'))
    model = cfg.model.to_dict()
    model.update(queue_len=K, feat_dim=8, swap_cells=(1, 2))
    model['backbone'].update(stem_channels=16, base_channels=16)  # 128-d
    model['neck'].update(in_channels=128, hid_channels=16, out_channels=8)
    model.pop('data_preprocessor')
    return model


def info_nce(pos: float, negs) -> float:
    """-log(e^{pos/T} / (e^{pos/T} + sum_n e^{n/T})), one row."""
    den = math.exp(pos / T) + sum(math.exp(n / T) for n in negs)
    return -math.log(math.exp(pos / T) / den)


def dot(a, b) -> float:
    return float(sum(a[c] * b[c] for c in range(len(a))))


def test_three_info_nce_terms_by_explicit_loops(monkeypatch):
    torch.manual_seed(0)
    model = build(tiny_cfg())
    model.eval()  # BN of running statistics: per-image features
    queue = F.normalize(torch.randn(8, K), dim=0)
    model.queue.copy_(queue)
    monkeypatch.setattr(regioncl, 'draw_swap_box', lambda *a, **k: BOX)
    im_q, im_k = torch.randn(B, 3, SIZE, SIZE), torch.randn(B, 3, SIZE, SIZE)
    losses = model.loss([im_q, im_k], None)

    with torch.no_grad():
        # swapped images, pixel by pixel of the box
        swapped = im_q.clone()
        for i in range(B):
            for y in range(32, 64):
                for x in range(0, 64):
                    swapped[i, :, y, x] = im_q[B - 1 - i, :, y, x]
        mlp = model.neck.mlp
        q = F.normalize(mlp(model.backbone(im_q)[0].mean((2, 3))), dim=1)
        k = F.normalize(mlp(model.backbone(im_k)[0].mean((2, 3))), dim=1)
        fmap = model.backbone(swapped)[0]  # (B, 128, 3, 3)
        canvas, paste = [], []  # by swapped image
        for j in range(B):
            bins_in = [fmap[j, :, 1, x] for x in (0, 1)]
            bins_out = [fmap[j, :, y, x] for y in range(3) for x in range(3)
                        if not (y == 1 and x < 2)]
            paste.append(F.normalize(mlp(sum(bins_in) / 2), dim=0))
            canvas.append(F.normalize(mlp(sum(bins_out) / 7), dim=0))
        ins = sum(
            info_nce(dot(q[i], k[i]), [dot(q[i], queue[:, n])
                                       for n in range(K)])
            for i in range(B)) / B
        # canvas of image i: swapped image i; its intra-image negative is
        # the paste region of swapped image i (pixels of image B-1-i)
        can = sum(
            info_nce(dot(canvas[i], k[i]),
                     [dot(canvas[i], paste[i])] +
                     [dot(canvas[i], queue[:, n]) for n in range(K)])
            for i in range(B)) / B
        # image i's pasted pixels: the box of swapped image B-1-i; its
        # intra-image negative is the canvas around it (image B-1-i)
        pas = sum(
            info_nce(dot(paste[B - 1 - i], k[i]),
                     [dot(paste[B - 1 - i], canvas[B - 1 - i])] +
                     [dot(paste[B - 1 - i], queue[:, n]) for n in range(K)])
            for i in range(B)) / B
    assert losses['loss_instance'].item() == pytest.approx(ins, rel=1e-4)
    assert losses['loss_canvas'].item() == pytest.approx(can / 2, rel=1e-4)
    assert losses['loss_paste'].item() == pytest.approx(pas / 2, rel=1e-4)
    # the keys enter the queue, which stays normalised
    torch.testing.assert_close(model.queue[:, :B], k.t(), atol=1e-5,
                               rtol=1e-5)
    assert int(model.queue_ptr) == B


def test_gradients_and_views():
    """Train mode: every term back-propagates to the backbone; the method
    takes two views of one size; boxes of 1-2 cells shrink to the 1 cell
    that fits 64 px views; 32 px views are refused."""
    torch.manual_seed(0)
    model = build(tiny_cfg())
    assert model.supported_views == dict(num_views=2, same_size=True)
    views = [torch.randn(2, 3, 64, 64) for _ in range(2)]
    assert model.cells_that_fit(96, 96) == (1, 2)
    assert model.cells_that_fit(64, 64) == (1, 1)
    weight = model.backbone.layer4[-1].conv2.weight  # a short backward
    for name, loss in model.loss(views, None).items():
        grad, = torch.autograd.grad(loss, weight, retain_graph=True)
        assert grad.abs().sum() > 0, name
    small = [torch.randn(2, 3, 32, 32) for _ in range(2)]
    with pytest.raises(ValueError, match='do not fit'):
        model.loss(small, None)  # 1 cell of 32 px > 31 px


def test_box_stream_resumes_with_the_buffers():
    """The n-th box depends on (swap_seed, n) only, both buffers: a model
    of another seed given the buffers of the run draws its next boxes."""
    torch.manual_seed(0)
    run = build(tiny_cfg())
    boxes = [regioncl.draw_swap_box(224, 224, (3, 5), 32,
                                    run.swap_generator()) for _ in range(6)]
    assert len(set(boxes)) > 1 and int(run.swap_count) == 6
    torch.manual_seed(1)
    other = build(tiny_cfg())
    assert int(other.swap_seed) != int(run.swap_seed)
    other.swap_seed.copy_(run.swap_seed)
    other.swap_count.fill_(3)
    assert [regioncl.draw_swap_box(224, 224, (3, 5), 32,
                                   other.swap_generator())
            for _ in range(3)] == boxes[3:]
