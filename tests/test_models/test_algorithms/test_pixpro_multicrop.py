# Copyright (c) mmpixpro contributors. All rights reserved.
"""Multi-crop PixPro (``multi_crop=True``): the loss of 2 global + 2 local
views against the formula written out with loops over pairs and bins, the
two-view loss unchanged, local views batched per size, and the views
refused without the option. The config check (plain PixPro refuses a
multi-crop pipeline, multi-crop PixPro takes it) is tested in
tests/test_utils/test_view_check.py."""
import math

import pytest
import torch
from mmpretrain.structures import DataSample
from pixpro_testing import build, tiny_pixpro_cfg
from torch import nn

from mmpixpro.models import MultiViewDataPreprocessor
from mmpixpro.registry import MODELS

T = 0.7
# crop boxes (x_ul, y_ul, x_lr, y_lr) of views 0..3 (2 global, 2 local) of
# two samples; a flipped box has x_ul > x_lr. Sample 0: local view 3 lies
# inside view 0 and has no positive in view 1 (it still counts in the mean)
BOXES = torch.tensor([
    [[0.0, 0.0, 1.0, 1.0], [0.9, 0.3, 0.2, 1.0],
     [0.1, 0.1, 0.5, 0.5], [0.05, 0.0, 0.25, 0.3]],
    [[0.2, 0.0, 0.8, 0.9], [0.0, 0.1, 0.7, 0.8],
     [0.5, 0.4, 0.3, 0.6], [0.3, 0.5, 0.6, 0.8]],
])
GLOBAL, LOCAL = 32, 16  # px: 4 x 4 and 2 x 2 maps with the stub backbone


@MODELS.register_module(name='McropStubBackbone', force=True)
class StubBackbone(nn.Module):
    """Patches of 8 x 8 px to ``channels`` (a conv, kernel = stride = 8):
    no BN, so each image's map depends on that image only."""

    def __init__(self, channels: int = 6) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 8, stride=8)

    def forward(self, x):
        return (self.conv(x), )


def stub_pixpro(**kwargs):
    """PixPro on the stub: 1x1-conv projector, PPM with g = identity."""
    cfg = dict(
        type='PixPro',
        multi_crop=True,
        channels_last=False,
        backbone=dict(type='McropStubBackbone', channels=6),
        neck=dict(type='PixelMLPNeck', in_channels=6, out_channels=5,
                  num_layers=1),
        head=dict(type='PixelPropagationHead', in_channels=5,
                  num_value_layers=0))
    cfg.update(kwargs)
    torch.manual_seed(0)
    model = build(cfg).train()
    with torch.no_grad():  # a target that differs from the online network
        for p in model.target_net.parameters():
            p.add_(0.3 * torch.randn_like(p))
    model.momentum = 1.0  # the EMA step keeps it as it is
    return model


def views_and_samples(sizes, boxes=BOXES, seed=1):
    """Random views of the given sizes and samples carrying ``boxes``."""
    gen = torch.Generator().manual_seed(seed)
    n = boxes.shape[0]
    views = [torch.randn(n, 3, s, s, generator=gen) for s in sizes]
    samples = []
    for i in range(n):
        sample = DataSample()
        sample.set_field(boxes[i, :len(sizes)].clone(), 'crop_boxes')
        samples.append(sample)
    return views, samples


# --- the formula, written out -----------------------------------------


def unit(v):
    return v / v.norm()


def bins(box, h, w):
    """Bin centres of an h x w map in the original image, and the diagonal
    of one bin (the PixPro paper's mapping, flips by swapped x ends)."""
    x_ul, y_ul, x_lr, y_lr = box.tolist()
    bin_w, bin_h = (x_lr - x_ul) / w, (y_lr - y_ul) / h
    centres = [(x_ul + (col + 0.5) * bin_w, y_ul + (row + 0.5) * bin_h)
               for row in range(h) for col in range(w)]
    return centres, math.hypot(bin_w, bin_h)


def propagate(x):
    """PPM with g = identity: y_i = unit(sum_j max(cos(x_i, x_j), 0)^2
    unit(x_j)) for a (C, h, w) map; returns the y_i in bin order."""
    cols = [unit(x[:, r, c]) for r in range(x.shape[1])
            for c in range(x.shape[2])]
    out = []
    for xi in cols:
        acc = torch.zeros_like(xi)
        for xj in cols:
            acc = acc + max(float(xi @ xj), 0.0)**2 * xj
        out.append(unit(acc))
    return out


def direction(x_a, t_b, boxes_a, boxes_b):
    """l(A -> B) = -2 mean_n [sum over positive (i, j) of cos(y_i, x'_j) /
    (number of positives + 1e-6)], positive: centre distance / max(diag_A,
    diag_B) < T."""
    total = 0.0
    for n in range(x_a.shape[0]):
        y = propagate(x_a[n])
        ca, diag_a = bins(boxes_a[n], *x_a.shape[-2:])
        cb, diag_b = bins(boxes_b[n], *t_b.shape[-2:])
        targets = [unit(t_b[n, :, r, c]) for r in range(t_b.shape[-2])
                   for c in range(t_b.shape[-1])]
        cos_sum, count = 0.0, 0
        for i, (xa, ya) in enumerate(ca):
            for j, (xb, yb) in enumerate(cb):
                if math.hypot(xa - xb, ya - yb) / max(diag_a, diag_b) < T:
                    cos_sum += float(y[i] @ targets[j])
                    count += 1
        total += cos_sum / (count + 1e-6)
    return -2 * total / x_a.shape[0]


def reference(model, views, boxes, local_targets=(0, 1), weight=None):
    """(2 / P) * [l(0 -> 1) + l(1 -> 0) + sum_l (l(l -> 0) + l(l -> 1))],
    each view through the stub on its own, in float64. ``local_targets``
    and ``weight`` (a function of P) give the wrong variants the test must
    tell apart."""
    with torch.no_grad():
        x = [model.neck(model.backbone(v))[0].double() for v in views]
        t = [model.target_net(v)[0].double() for v in views[:2]]
    boxes = boxes.double()
    terms = [direction(x[0], t[1], boxes[:, 0], boxes[:, 1]),
             direction(x[1], t[0], boxes[:, 1], boxes[:, 0])]
    for v in range(2, len(views)):
        for g, g_box in zip(local_targets, (0, 1)):
            terms.append(direction(x[v], t[g], boxes[:, v], boxes[:, g_box]))
    weight = weight or (lambda p: 2 / p)
    return weight(len(terms)) * sum(terms)


# --- tests ---------------------------------------------------------------


def test_loss_of_two_global_and_two_local_views_is_the_formula():
    model = stub_pixpro()
    views, samples = views_and_samples([GLOBAL, GLOBAL, LOCAL, LOCAL])
    loss = model.loss(views, samples)['loss'].item()
    expected = reference(model, views, BOXES)
    assert loss == pytest.approx(expected, rel=1e-5, abs=1e-6)
    # the check tells apart: a local view against the wrong global target
    # (boxes kept), against one global view only, and other pair weightings
    wrong = [
        reference(model, views, BOXES, local_targets=(1, 0)),
        reference(model, views, BOXES, local_targets=(0, 0)),
        reference(model, views, BOXES, weight=lambda p: 1.0),
        reference(model, views, BOXES, weight=lambda p: 1 / p),
        reference(model, views, BOXES, weight=lambda p: 2 / (p + 2)),
    ]
    for value in wrong:
        assert abs(value - expected) > 1e-3, (value, expected)


def test_two_views_give_the_two_view_loss_exactly():
    # a real tiny ResNet-18 with BN: with 2 views multi_crop changes nothing
    torch.manual_seed(0)
    model = build(tiny_pixpro_cfg(18, 32, 16)).train()
    model.momentum = 1.0
    views, samples = views_and_samples([64, 64])
    plain = model.loss(views, samples)['loss']
    model.multi_crop = True
    option = model.loss(views, samples)['loss']
    # l(1 -> 2) + l(2 -> 1), as the two-view PixPro computes it
    boxes = BOXES[:, :2]
    cl = [v.contiguous(memory_format=torch.channels_last) for v in views]
    x = [model.project(v)[0] for v in cl]
    with torch.no_grad():
        t = [model.target_net(v)[0] for v in cl]
    symmetric = (model.head.loss(x[0], t[1], boxes[:, 0], boxes[:, 1]) +
                 model.head.loss(x[1], t[0], boxes[:, 1], boxes[:, 0]))
    assert torch.equal(plain, symmetric)
    assert torch.equal(option, symmetric)


def test_local_views_run_as_one_batch_and_both_layouts_agree():
    torch.manual_seed(0)
    model = build(tiny_pixpro_cfg(18, 32, 16, multi_crop=True)).train()
    model.momentum = 1.0
    batches = []
    model.backbone.register_forward_hook(
        lambda module, args, out: batches.append(args[0].shape[0]))
    gen = torch.Generator().manual_seed(2)
    raw = [torch.randint(0, 256, (2, 3, s, s), generator=gen,
                         dtype=torch.uint8) for s in (64, 64, 32, 32)]
    _, samples = views_and_samples([64, 64, 32, 32])
    losses = []
    for stack in (True, False):
        pre = MultiViewDataPreprocessor(stack_groups=stack, mean=[0.] * 3,
                                        std=[255.] * 3)
        data = pre(dict(inputs=list(raw), data_samples=samples))
        losses.append(model.loss(data['inputs'], data['data_samples'])
                      ['loss'])
    # globals one view at a time (BN per view), the 2 locals as one batch
    assert batches == [2, 2, 4] * 2
    assert torch.isfinite(losses[0])
    assert torch.allclose(losses[0], losses[1], rtol=0, atol=1e-6)


def test_instance_branch_takes_the_same_pairs():
    model = stub_pixpro(
        type='PixProInstance',
        instance_neck=dict(type='PixelMLPNeck', in_channels=6,
                           out_channels=5, num_layers=1),
        instance_head=dict(type='InstanceBranchHead', in_channels=5,
                           out_channels=5, num_layers=1))
    views, samples = views_and_samples([GLOBAL, GLOBAL, LOCAL, LOCAL])
    out = model.loss(views, samples)
    assert out['loss_pixel'].item() == pytest.approx(
        reference(model, views, BOXES), rel=1e-5, abs=1e-6)
    with torch.no_grad():
        p = [model.instance_head(model.instance_neck(model.backbone(v))[-1])
             for v in views]
        z = [model.instance_head.pool(
            model.target_instance_neck(model.target_net.module[0](v))[-1])
            for v in views[:2]]
    pairs = [(0, 1), (1, 0), (2, 0), (2, 1), (3, 0), (3, 1)]
    expected = 2 / 6 * sum(-2 * float((p[a] * z[b]).sum(1).mean())
                           for a, b in pairs)
    assert out['loss_instance'].item() == pytest.approx(expected, rel=1e-5)


def test_view_count_and_boxes_are_checked():
    model = stub_pixpro(multi_crop=False)
    views, samples = views_and_samples([GLOBAL, GLOBAL, LOCAL])
    with pytest.raises(ValueError, match='multi_crop=True'):
        model.loss(views, samples)
    model.multi_crop = True
    with pytest.raises(ValueError, match='one .* row per view'):
        model.loss(views + views[2:], samples)
