# Copyright (c) mmpixpro contributors. All rights reserved.
"""R2O: the K schedule at known epochs, the hook, the object masks from
k-means, and the whole loss of a constructed case computed by hand."""
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample
from torch import nn

from mmpixpro.engine import R2OClusterHook, cluster_schedule
from mmpixpro.models import R2O
from mmpixpro.registry import MODELS


@MODELS.register_module(force=True)
class R2OTestPoolBackbone(nn.Module):
    """Stub: a 1x1 identity conv, then 8 x 8 average pooling; two levels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1, bias=False)
        nn.init.eye_(self.conv.weight[:, :, 0, 0])

    def forward(self, x):
        y = F.avg_pool2d(self.conv(x), 8)
        return (y, y)


@MODELS.register_module(force=True)
class R2OTestIdentityNeck(nn.Module):
    """Stub: rows in, rows out (a scalar weight for the optimiser)."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, x):
        return (x[0] * self.scale, )


def build(num_clusters=9999):
    model = R2O(
        backbone=dict(type='R2OTestPoolBackbone'),
        neck=dict(type='R2OTestIdentityNeck'),
        head=dict(
            type='MaskBYOLHead',
            predictor=dict(type='R2OTestIdentityNeck'),
            loss=dict(type='MaskedBYOLLoss')),
        num_clusters=num_clusters)
    model.init_weights()
    return model


def test_cluster_schedule_at_known_epochs():
    # R2O's recipe: 128 for 40 epochs, then 4 + 124 cos(pi/2 (e - 40)/260)
    sched = dict(epochs=(0, 40, 300), values=(128, 128, 4))
    expected = {0: 128, 20: 128, 40: 128, 100: 119,  # 119.94
                170: 91,  # 4 + 124 cos(pi / 4) = 91.68
                250: 40,  # 40.89
                299: 4, 300: 4, 400: 4}
    for epoch, k in expected.items():
        assert cluster_schedule(epoch, **sched) == k, epoch
    # increasing pieces and the authors' limits (> 128: no clustering)
    assert cluster_schedule(5, (0, 10), (1, 64)) == int(
        1 + 63 * torch.cos(torch.tensor(torch.pi / 2 * 0.5)).item())
    assert cluster_schedule(0, (0, 10), (200, 4)) == 9999
    assert cluster_schedule(9, (0, 10), (0, 0)) == 1


def test_hook_sets_k_and_seed_from_the_runner():
    model = build()
    hook = R2OClusterHook(epochs=(0, 2, 12), values=(128, 128, 4))
    hub = SimpleNamespace(update_scalar=lambda *a: None)
    runner = SimpleNamespace(model=model, epoch=7, iter=33, message_hub=hub)
    hook.before_train_iter(runner, 0)
    assert model.num_clusters == int(4 + 124 * torch.cos(
        torch.tensor(torch.pi / 2 * 0.5)).item())  # 91
    assert model.kmeans_seed == 1000003 * 33


def samples(boxes, superpixels):
    out = []
    for b, s in zip(boxes, superpixels):
        d = DataSample()
        d.set_field(b, 'crop_boxes')
        d.set_field(s, 'superpixels')
        out.append(d)
    return out


def test_object_masks_group_superpixels_by_kmeans():
    # 4 quadrant superpixels; quadrants 0, 3 red, 1, 2 blue: K = 2 gives
    # two masks, {0, 3} and {1, 2}
    model = build(num_clusters=2)
    img = torch.zeros(1, 3, 32, 32)
    img[:, 0, :16, :16] = img[:, 0, 16:, 16:] = 1
    img[:, 2, :16, 16:] = img[:, 2, 16:, :16] = 1
    sp = torch.zeros(1, 32, 32, dtype=torch.long)
    sp[:, :16, 16:], sp[:, 16:, :16], sp[:, 16:, 16:] = 1, 2, 3
    masks = model.object_masks(img, sp)  # (1, 2, 56, 56)
    assert masks.shape == (1, 2, 56, 56)
    a = masks[0].argmax(0)
    assert a[0, 0] == a[-1, -1] and a[0, -1] == a[-1, 0]
    assert a[0, 0] != a[0, -1]
    quadrant = torch.zeros(56, 56, dtype=torch.long)
    quadrant[:28, 28:] = quadrant[28:, :28] = 1
    assert (a == a[0, 0]).eq(quadrant == 0).all()


def test_loss_of_constructed_case_by_hand():
    # 2 images, 32 px; view 0 = the image, view 1 = it flipped and changed
    # (x 2 - 0.3 per channel); view 2 = the image, superpixels = halves.
    # Stub networks are identities after 8 x 8 pooling, so the pooled rows
    # are means of the views over the image halves, computed here directly.
    model = build()  # K > 128: every superpixel is a mask
    g = torch.Generator().manual_seed(0)
    img = torch.rand(2, 3, 32, 32, generator=g)
    other = (img * 2 - torch.tensor([0.3, -0.2, 0.1])[:, None, None]).flip(-1)
    sp = torch.zeros(2, 32, 32, dtype=torch.long)
    sp[:, :, 16:] = 1
    boxes = torch.tensor([[0., 0., 1., 1.], [1., 0., 0., 1.],
                          [0., 0., 1., 1.]]).repeat(2, 1, 1)
    out = model.loss([img, other, img], samples(boxes, sp))
    # mask 0 (left half of the image) is the right half of view 1
    rows_q, rows_t = [], []
    for a, b in ((img, other), (other, img)):  # online view, target view
        for n in range(2):
            for k in range(2):
                cols_a = slice(0, 16) if (k == 0) == (a is img) else \
                    slice(16, 32)
                cols_b = slice(0, 16) if (k == 0) == (b is img) else \
                    slice(16, 32)
                rows_q.append(a[n, :, :, cols_a].mean((1, 2)))
                rows_t.append(b[n, :, :, cols_b].mean((1, 2)))
    q = F.normalize(torch.stack(rows_q), dim=1)
    t = F.normalize(torch.stack(rows_t), dim=1)
    expected = (q - t).square().sum(1).mean()
    torch.testing.assert_close(out['loss'], expected)
    assert float(out['num_masks']) == 2
    assert float(expected) > 1e-3  # a case the flip handling decides
