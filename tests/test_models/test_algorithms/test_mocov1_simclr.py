# Copyright (c) mmpixpro contributors. All rights reserved.
"""The objectives of MoCo v1 (InfoNCE against a known queue, T 0.07) and
SimCLR (NT-Xent over 2N views, T 0.1), built from their demo configs,
equal the papers' formulas written out here with explicit loops over
samples; a wrong temperature or positive pairing would not."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from pixpro_testing import ROOT, build

N, SIZE = 4, 32  # images per batch, view side in pixels


def demo_model(config: str, **changes) -> torch.nn.Module:
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config)).model.to_dict()
    cfg.update(changes)
    torch.manual_seed(0)
    return build(cfg).train()


def views():
    torch.manual_seed(1)
    return [torch.randn(N, 3, SIZE, SIZE) for _ in range(2)]


def info_nce(q, k, queue, temperature: float) -> float:
    """MoCo's loss, sample by sample: -log(exp(q.k+ / T) / (exp(q.k+ / T)
    + sum_i exp(q.k_i / T))) over the queue keys k_i, averaged."""
    total = 0.0
    for n in range(q.shape[0]):
        logits = [float(q[n] @ k[n]) / temperature]
        for i in range(queue.shape[1]):
            logits.append(float(q[n] @ queue[:, i]) / temperature)
        denominator = sum(math.exp(x) for x in logits)
        total += -math.log(math.exp(logits[0]) / denominator)
    return total / q.shape[0]


def nt_xent(z, partner, temperature: float) -> float:
    """SimCLR's loss over the 2N views: view a against its partner p(a),
    every other view of the batch in the denominator, averaged over a."""
    total = 0.0
    for a in range(z.shape[0]):
        others = [math.exp(float(z[a] @ z[b]) / temperature)
                  for b in range(z.shape[0]) if b != a]
        positive = math.exp(float(z[a] @ z[partner(a)]) / temperature)
        total += -math.log(positive / sum(others))
    return total / z.shape[0]


def test_mocov1_info_nce_with_a_known_queue():
    model = demo_model('mocov1/mocov1_r18_demo.py', queue_len=8)
    torch.manual_seed(2)
    queue = F.normalize(torch.randn(128, 8), dim=0)
    model.queue.copy_(queue)
    x_q, x_k = views()
    with torch.no_grad():
        # q = f_q(x_q), k = f_k(x_k): the key encoder is the online one
        # (synced at init; the EMA step of equal weights keeps them). BN in
        # train mode normalises over the batch, whatever its order (MoCo
        # shuffles the keys' batch)
        q = F.normalize(model.neck(model.backbone(x_q))[0], dim=1)
        k = F.normalize(model.encoder_k(x_k)[0], dim=1)
        loss = model.loss([x_q, x_k], [])['loss'].item()
    assert loss == pytest.approx(info_nce(q, k, queue, 0.07), rel=1e-5)
    # the formula tells a wrong temperature and a wrong positive apart
    for wrong in (info_nce(q, k, queue, 0.2),
                  info_nce(q, k.roll(1, dims=0), queue, 0.07)):
        assert abs(wrong - loss) > 1e-2
    # the batch's keys are enqueued at the pointer (FIFO), the rest kept
    assert torch.allclose(model.queue[:, :N], k.T, atol=1e-5)
    assert torch.equal(model.queue[:, N:], queue[:, N:])
    assert int(model.queue_ptr) == N


def test_simclr_nt_xent_over_2n_views():
    model = demo_model(
        'simclr/simclr_r18_demo.py',
        neck=dict(
            type='NonLinearNeck',
            in_channels=512,
            hid_channels=64,
            out_channels=32,
            num_layers=2,
            with_avg_pool=True,
            norm_cfg=dict(type='BN1d')))
    x_1, x_2 = views()
    with torch.no_grad():
        # one batch of the 2N views (BN statistics over all of them), in
        # the order [view 1 of images 0..N-1, view 2 of images 0..N-1]
        z = model.neck(model.backbone(torch.cat([x_1, x_2])))[0]
        z = F.normalize(z, dim=1)
        loss = model.loss([x_1, x_2], [])['loss'].item()

    def partner(a):  # the other view of the same image
        return (a + N) % (2 * N)

    assert loss == pytest.approx(nt_xent(z, partner, 0.1), rel=1e-5)
    for wrong in (nt_xent(z, partner, 0.5),
                  nt_xent(z, lambda a: (partner(a) + 1) % (2 * N), 0.1)):
        assert abs(wrong - loss) > 1e-2
