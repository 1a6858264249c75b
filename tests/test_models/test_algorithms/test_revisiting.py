# Copyright (c) mmpixpro contributors. All rights reserved.
""""Revisiting Contrastive SSL" (MultiCropMoCo, MoCoKNNHead,
KNNPositiveLoss): InfoNCE of 1 + 4 queries and the kNN term on a
constructed case against plain loops, the FIFO queues, the wiring of the
views, and the constrained views of the configs."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmpixpro.registry import MODELS, TRANSFORMS
from mmpixpro.utils.config_check import views_problem
from pixpro_testing import ROOT, build

# the paper's constants, written out: the configs must give these
T, TOPK, WEIGHT = 0.2, 20, 0.4


def config(name: str) -> Config:
    return Config.fromfile(osp.join(ROOT, 'configs', name))


def paper_head(**kwargs):
    """The R50 recipe's head (T, k, weight as configured), small queues."""
    cfg = config('_base_/models/revisiting_r50.py').model.head.to_dict()
    cfg.update(kwargs)
    return MODELS.build(cfg)


def unit(*xs) -> list:
    n = math.sqrt(sum(x * x for x in xs))
    return [x / n for x in xs]


def dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))


def constructed_case(n_img=2, n_queries=5, queue_len=32):
    """Hand-made unit vectors (plain lists) and the head's tensors."""
    # projection queue: unit vectors on a circle tilted out of the plane
    queue = [unit(math.cos(0.3 * j), math.sin(0.3 * j), 0.5)
             for j in range(queue_len)]
    # backbone queue: angles j * pi / 40, so cos falls with j for angle 0
    queue_bb = [unit(math.cos(j * math.pi / 40), math.sin(j * math.pi / 40),
                     0.0) for j in range(queue_len)]
    # queries, view-major rows v * N + n: view 0 then 4 small views
    q = [unit(math.cos(0.7 * i + 0.1), math.sin(0.5 * i), 1.0 - 0.1 * i)
         for i in range(n_queries * n_img)]
    # backbone features: row 0 at angle 0 (its top-20 are slots 0..19 of
    # the old queue), others spread over the circle
    q_bb = [unit(math.cos(0.9 * i), math.sin(0.9 * i), 0.2 * (i % 2))
            for i in range(n_queries * n_img)]
    k = [unit(1.0, -0.5 * n, 0.3) for n in range(n_img)]
    # keys' backbone features: key 0 sits at angle 0 (nearest to row 0)
    k_bb = [unit(1.0, 0.0, 0.0), unit(0.0, 1.0, 0.0)][:n_img]
    lists = dict(queue=queue, queue_bb=queue_bb, q=q, q_bb=q_bb, k=k,
                 k_bb=k_bb)
    return lists, {name: torch.tensor(v) for name, v in lists.items()}


def expected_losses(c, ptr: int, enqueue_before_knn: bool):
    """InfoNCE and weighted kNN term with explicit loops over rows."""
    n_img, queue_len = len(c['k']), len(c['queue'])
    bb = [list(v) for v in c['queue_bb']]
    if enqueue_before_knn:  # the authors' order: keys written first
        for n in range(n_img):
            bb[(ptr + n) % queue_len] = c['k_bb'][n]
    moco, knn = [], []
    for i, (q, q_bb) in enumerate(zip(c['q'], c['q_bb'])):
        pos = dot(q, c['k'][i % n_img]) / T
        negs = [dot(q, kappa) / T for kappa in c['queue']]
        moco.append(-pos + math.log(sum(map(math.exp, [pos] + negs))))
        sims = [dot(q_bb, b) for b in bb]
        top = sorted(range(queue_len), key=lambda j: -sims[j])[:TOPK]
        log_z = math.log(sum(map(math.exp, negs)))
        knn.append(-sum(negs[j] - log_z for j in top) / TOPK)
    return sum(moco) / len(moco), WEIGHT * sum(knn) / len(knn), bb


@pytest.mark.parametrize('before', [True, False])
def test_infonce_and_knn_term_match_plain_loops(before):
    """1 large + 4 small queries of 2 images against their key: InfoNCE with
    T = 0.2 averaged over the 10 rows; kNN term with the top-20 backbone
    neighbours as positives among the queue logits, weight 0.4."""
    lists, t = constructed_case()
    head = paper_head(queue_len=32, feat_dim=3, backbone_dim=3)
    assert head.enqueue_before_knn  # the config keeps the authors' order
    head.enqueue_before_knn = before
    head.queue.copy_(t['queue'].t())
    head.queue_backbone.copy_(t['queue_bb'].t())
    head.queue_ptr[0] = 31  # the two keys go to slots 31 and 0 (wrap)
    losses = head.loss(t['q'], t['q_bb'], t['k'], t['k_bb'])
    moco, knn, bb = expected_losses(lists, 31, before)
    # row 0's positives, by hand: slots 0..19 of the old backbone queue; in
    # the authors' order key 0 (angle 0) replaces slot 31 and key 1 (angle
    # pi / 2) slot 0 before the search
    sims0 = [dot(lists['q_bb'][0], b) for b in bb]
    top0 = set(sorted(range(32), key=lambda j: -sims0[j])[:TOPK])
    assert top0 == ({31} | set(range(1, 20)) if before else set(range(20)))
    assert losses['loss_moco'].item() == pytest.approx(moco, rel=1e-5)
    assert losses['loss_knn'].item() == pytest.approx(knn, rel=1e-5)
    # the kNN term really depends on the order (another positive set)
    _, other, _ = expected_losses(lists, 31, not before)
    assert abs(other - knn) > 1e-3


def test_knn_loss_alone_and_its_refusal():
    loss = MODELS.build(dict(type='KNNPositiveLoss', topk=2,
                             temperature=0.5, loss_weight=0.4))
    sim_bb = torch.tensor([[0.9, 0.1, 0.8, 0.0]])
    sim = torch.tensor([[1.0, 0.0, -1.0, 0.5]])
    logits = [2.0, 0.0, -2.0, 1.0]
    log_z = math.log(sum(map(math.exp, logits)))
    want = 0.4 * -((logits[0] - log_z) + (logits[2] - log_z)) / 2
    assert loss(sim_bb, sim).item() == pytest.approx(want, rel=1e-6)
    with pytest.raises(ValueError, match='topk=2'):
        loss(sim_bb[:, :1], sim[:, :1])


def test_queue_fifo_pointer_and_checkpoint():
    """Both queues take the keys at the pointer, wrap around K, and are
    buffers (saved and restored with the state dict)."""
    head = paper_head(queue_len=5, feat_dim=2, backbone_dim=3)
    head.queue.zero_()
    head.queue_backbone.zero_()
    steps = [torch.tensor([[1., 1.], [2., 2.]]) * s for s in (1, 2, 3)]
    for s, keys in enumerate(steps, 1):
        head.enqueue(keys, torch.full((2, 3), float(s)))
    # slots: step 1 -> 0, 1; step 2 -> 2, 3; step 3 -> 4, 0 (wrapped)
    assert head.queue[0].tolist() == [6., 2., 2., 4., 3.]
    assert head.queue_backbone[0].tolist() == [3., 1., 2., 2., 3.]
    assert int(head.queue_ptr) == 1
    state = head.state_dict()
    assert {'queue', 'queue_backbone', 'queue_ptr'} <= set(state)
    fresh = paper_head(queue_len=5, feat_dim=2, backbone_dim=3)
    fresh.load_state_dict(state)
    assert torch.equal(fresh.queue, head.queue)
    assert int(fresh.queue_ptr) == 1
    with pytest.raises(ValueError, match='do not fit'):
        head.enqueue(torch.zeros(6, 2), torch.zeros(6, 3))


def test_views_wiring_query_key_small():
    """View 0 and the small views are the queries (the small ones in one
    pass), view 1 the key; nothing else is encoded."""
    cfg = config('revisiting/revisiting_r18_demo.py').model.to_dict()
    # a thin ResNet-18 (16 base channels): seconds on CPU
    cfg['backbone'].update(base_channels=16, stem_channels=16)
    cfg['neck'].update(in_channels=128, hid_channels=32, out_channels=16)
    cfg['head'].update(queue_len=32, feat_dim=16, backbone_dim=128)
    model = build(cfg)
    assert MODELS.get('MultiCropMoCo').supported_views == dict(min_views=2)
    assert views_problem(model.supported_views, [(64, 64)]) is not None
    seen = {}

    def capture(q, q_bb, k, k_bb):
        seen.update(q=q, q_bb=q_bb, k=k, k_bb=k_bb)
        return dict(loss=q.sum() * 0)

    model.head.loss = capture
    torch.manual_seed(0)
    views = [torch.randn(2, 3, 32, 32) for _ in range(2)] + \
        [torch.randn(2, 3, 16, 16) for _ in range(4)]
    model.loss(views, None)
    with torch.no_grad():  # copy == online after init: same networks
        large = model.encode(views[0], model._online())
        small = model.encode(torch.cat(views[2:]), model._online())
        key = model.encode(views[1], model._online())
    assert torch.allclose(seen['q'], torch.cat([large[0], small[0]]),
                          atol=1e-5)
    assert torch.allclose(seen['q_bb'], torch.cat([large[1], small[1]]),
                          atol=1e-5)
    assert torch.allclose(seen['k'], key[0], atol=1e-5)
    assert torch.allclose(seen['k_bb'], key[1], atol=1e-5)
    assert seen['q_bb'].shape == (10, 128)  # pooled backbone, normalised
    assert torch.allclose(seen['q'].norm(dim=1), torch.ones(10))


@pytest.mark.parametrize('name', [
    'revisiting/revisiting_r18_demo.py',
    'revisiting/revisiting_r50_2xb128-mcrop-200e_coco.py'
])
def test_small_crops_lie_inside_the_key_view(name):
    """2 large + 4 small views; each small crop has >= 10 % of its area
    inside view 1 (the key), unless it fell back to the centre crop."""
    step = config(name).train_dataloader.dataset.pipeline[1]
    transform = TRANSFORMS.build(step)
    rng = np.random.RandomState(0)
    img = rng.randint(0, 256, (240, 320, 3), dtype=np.uint8)
    for seed in range(8):
        np.random.seed(seed)
        out = transform(dict(img=img.copy()))
        sizes = [v.shape[0] for v in out['img']]
        assert sizes[0] == sizes[1] > sizes[2] == sizes[5] and len(sizes) == 6
        boxes = out['crop_boxes'].numpy()
        x0, x1 = np.sort(boxes[:, [0, 2]], axis=1).T  # flips swap x ends
        y0, y1 = boxes[:, 1], boxes[:, 3]
        shares = []
        for v in range(2, 6):
            w = max(0., min(x1[v], x1[1]) - max(x0[v], x0[1]))
            h = max(0., min(y1[v], y1[1]) - max(y0[v], y0[1]))
            shares.append(w * h / ((x1[v] - x0[v]) * (y1[v] - y0[v])))
        if out['crop_fallbacks'] == 0:
            assert min(shares) >= 0.1 - 1e-6, (seed, shares)
