# Copyright (c) mmpixpro contributors. All rights reserved.
"""SwAV on the multi-crop views: the model's loss against the paper's
objective written out here (Sinkhorn codes by explicit loops, swapped
cross-entropy), and the views the config check lets through."""
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmpixpro.models import MultiCropSwAV
from mmpixpro.registry import MODELS
from mmpixpro.utils import ConfigError, check_config
from pixpro_testing import ROOT, build

DEMO = osp.join(ROOT, 'configs', 'swav', 'swav_r18_demo.py')
EPS, TEMPERATURE, ITERS = 0.05, 0.1, 3


def sinkhorn_codes(scores):
    """Codes of B samples over K prototypes from their (B, K) scores:
    Q = exp(scores / eps) as a K x B matrix scaled to sum 1, then 3 times:
    every row (prototype) to sum 1/K, every column (sample) to sum 1/B;
    the columns are then scaled to sum 1. Plain loops in float64."""
    B, K = len(scores), len(scores[0])
    Q = [[math.exp(scores[b][k] / EPS) for b in range(B)] for k in range(K)]
    total = sum(sum(row) for row in Q)
    Q = [[q / total for q in row] for row in Q]
    for _ in range(ITERS):
        for k in range(K):
            row = sum(Q[k])
            Q[k] = [q / row / K for q in Q[k]]
        for b in range(B):
            col = sum(Q[k][b] for k in range(K))
            for k in range(K):
                Q[k][b] = Q[k][b] / col / B
    # (B, K): sample b's code, summing to 1
    return [[Q[k][b] * B for k in range(K)] for b in range(B)]


def swav_loss(z, C, assigned=(0, 1), queue=None):
    """The paper's loss from embeddings z (V, N, D) and prototypes C (K, D),
    both l2-normalised: for each assigned view s the codes q_s (Sinkhorn
    over the queue's and the batch's scores, the batch's rows kept), then
    -sum_k q_s log softmax(z_t C^T / T) for every view t != s, averaged
    over the N samples, the V - 1 views t and the assigned views s."""
    z, C = z.double().tolist(), C.double().tolist()
    V, N, K = len(z), len(z[0]), len(C)

    def score(x):
        return [sum(a * c for a, c in zip(x, C[k])) for k in range(K)]

    total = 0.0
    for i, s in enumerate(assigned):
        rows = [score(x) for x in (queue[i].tolist() if queue is not None
                                   else [])] + [score(x) for x in z[s]]
        q = sinkhorn_codes(rows)[-N:]
        sub = 0.0
        for t in range(V):
            if t == s:
                continue
            for n in range(N):
                p = [v / TEMPERATURE for v in score(z[t][n])]
                log_norm = math.log(sum(math.exp(v) for v in p))
                sub -= sum(q[n][k] * (p[k] - log_norm)
                           for k in range(K)) / N
        total += sub / (V - 1)
    return total / len(assigned)


def tiny_swav(num_crops, num_prototypes=5):
    cfg = Config.fromfile(DEMO).model.to_dict()
    cfg['head']['loss'].update(num_crops=num_crops, feat_dim=8,
                               num_prototypes=num_prototypes)
    cfg['neck'].update(hid_channels=16, out_channels=8)
    return build(cfg)


def views(sizes, n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 3, s, s, generator=g) for s in sizes]


@pytest.mark.parametrize('with_queue', [False, True])
def test_head_loss_is_the_papers(with_queue):
    """SwAVHead on hand-made embeddings (4 views of 3 samples, 5
    prototypes), with and without a filled queue."""
    g = torch.Generator().manual_seed(1)
    head = MODELS.build(
        dict(type='SwAVHead',
             loss=dict(type='SwAVLoss', feat_dim=4, epsilon=EPS,
                       temperature=TEMPERATURE, sinkhorn_iterations=ITERS,
                       num_crops=[2, 2], num_prototypes=5)))
    z = F.normalize(torch.randn(4, 3, 4, generator=g), dim=-1)
    queue = None
    if with_queue:
        queue = F.normalize(torch.randn(2, 6, 4, generator=g), dim=-1)
        head.loss_module.queue = queue.clone()
    with torch.no_grad():
        head.loss_module.prototypes.weight.copy_(
            torch.randn(5, 4, generator=g) * 3)  # the loss normalises it
    C = F.normalize(head.loss_module.prototypes.weight.detach(), dim=1)
    expected = swav_loss(z, C, queue=queue)
    assert head.loss(z.flatten(0, 1)).item() == pytest.approx(
        expected, rel=1e-5)


def test_model_loss_is_the_papers_on_two_sizes():
    """The whole model (eval-mode BN: each view's embedding is its own):
    2 x 64 px + 4 x 32 px views, the embeddings computed view by view
    here, the loss by the formula above."""
    model = tiny_swav([2, 4]).eval()
    x = views([64, 64, 32, 32, 32, 32])
    with torch.no_grad():
        loss = model.loss(x, None)['loss'].item()
        z = torch.stack([model.neck([model.backbone(v)]) for v in x])
        C = model.head.loss_module.prototypes.weight  # normalised by loss
    assert torch.allclose(C.norm(dim=1), torch.ones(5))
    assert loss == pytest.approx(swav_loss(z, C), rel=1e-5)
    # the stacked size groups of MultiViewDataPreprocessor give the same
    grouped = [torch.stack(x[:2]), torch.stack(x[2:])]
    with torch.no_grad():
        assert model.loss(grouped, None)['loss'].item() == pytest.approx(
            loss, rel=1e-6)


def test_views_other_than_num_crops_refused():
    model = tiny_swav([2, 6])
    with pytest.raises(ValueError, match=r'6 views, but model\.head\.loss'
                       r'\.num_crops=\[2, 6\] says 8'):
        model.loss(views([32, 32, 16, 16, 16, 16]), None)


def test_config_check_takes_multicrop_and_refuses_one_view():
    assert MultiCropSwAV.supported_views == dict(min_views=2)
    cfg = Config.fromfile(DEMO)
    check_config(cfg)  # 2 x 128 + 4 x 64 px
    transform = cfg.train_dataloader.dataset.pipeline[1]
    transform.view_pipelines = transform.view_pipelines[:1]
    transform.num_views = [1]
    with pytest.raises(ConfigError) as error:
        check_config(cfg)
    assert ('pipeline[1] (MultiViewTransform) makes 1 x 128x128: 1 views '
            'where it takes at least 2') in str(error.value)
    assert "model.type='MultiCropSwAV'" in str(error.value)
