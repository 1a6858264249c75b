# Copyright (c) mmpixpro contributors. All rights reserved.
"""Hummingbird retrieval: hand-made features against a loop-by-loop
formula, the memory-bank sampling (share, rare classes first), the bounded
exact search, and the registered protocol on a tiny VOC-layout set."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from oracle import K, OracleBackbone, make_split
from pixpro_testing import make_voc_set

from mmpixpro.evaluation import (HummingbirdConfig, PatchIndex, build_memory,
                                 chunked_topk, load_frozen_backbone,
                                 per_image_share, retrieve_labels,
                                 run_protocol, sample_patches)
from mmpixpro.evaluation.hummingbird import augment_pair, hummingbird_scores
from mmpixpro.registry import EVAL_PROTOCOLS


def loop_retrieval(queries, keys, values, k, beta):
    """sum_i softmax(s_i / beta) y_i over the k most similar keys."""
    out = []
    for q in queries.tolist():
        sims = []
        for j, key in enumerate(keys.tolist()):
            dot = sum(a * b for a, b in zip(q, key))
            norm = math.sqrt(sum(a * a for a in q)) * math.sqrt(
                sum(b * b for b in key))
            sims.append((dot / norm, j))
        top = sorted(sims, reverse=True)[:k]
        exps = [math.exp(s / beta) for s, _ in top]
        label = [0.0] * values.shape[1]
        for e, (_, j) in zip(exps, top):
            for c in range(values.shape[1]):
                label[c] += e / sum(exps) * values[j, c].item()
        out.append(label)
    return torch.tensor(out)


def test_retrieval_of_hand_made_features_matches_the_formula():
    # bank: 6 unit 2-D keys at known angles, one-hot or mixed labels
    angles = torch.tensor([0., 10., 80., 90., 180., 200.]) * math.pi / 180
    keys = torch.stack([angles.cos(), angles.sin()], 1)
    values = torch.tensor([[1., 0, 0], [.5, .5, 0], [0, 1, 0], [0, 0, 1],
                           [0, 0, 1], [1, 0, 0]])
    queries = torch.tensor([[1., .05], [.1, 1.], [-1., -.2], [3., 2.9]])
    for k, beta in ((2, 0.02), (3, 0.5), (6, 0.1)):
        sim, idx = chunked_topk(F.normalize(queries, dim=1), keys, k,
                                bank_chunk=4, query_chunk=3)
        got = retrieve_labels(sim, idx, values, beta)
        assert torch.allclose(got, loop_retrieval(queries, keys, values, k,
                                                  beta), atol=1e-5)
    # known neighbours -> known prediction at k = 2, beta = 0.02: query 1
    # (84.3 deg) is nearest keys 2 (80 deg, class 1) and 3 (90 deg, class
    # 2): cos 0.99719 and 0.99506, weights 1 / (1 + exp(-0.1066)) = 0.527
    # and 0.473, so class 1
    sim, idx = chunked_topk(F.normalize(queries[:2], dim=1), keys, 2)
    assert idx[0].sort().values.tolist() == [0, 1]
    assert idx[1].tolist() == [2, 3]
    pred = retrieve_labels(sim, idx, values, 0.02)
    assert torch.allclose(pred[1], torch.tensor([0, .527, .473]),
                          atol=1e-3)
    assert pred[0].argmax() == 0 and pred[1].argmax() == 1


def test_the_faiss_index_finds_the_same_neighbours():
    pytest.importorskip('faiss')
    gen = torch.Generator().manual_seed(0)
    keys = F.normalize(torch.randn(300, 8, generator=gen), dim=1)
    queries = F.normalize(torch.randn(20, 8, generator=gen), dim=1)
    cfg = HummingbirdConfig(index='faiss', nlist=4, nprobe=4)  # all lists
    index = PatchIndex(keys, cfg)
    assert index.name == 'faiss-ivf4-probe4'
    sim, idx = index.search(queries, 5)
    ref_sim, ref_idx = (queries @ keys.T).topk(5, dim=1)
    assert torch.equal(idx, ref_idx)
    assert torch.allclose(sim, ref_sim, atol=1e-5)


def test_per_image_share_as_theirs():
    assert per_image_share(1024 * 10**2, 300, 1, 1024) == 341
    assert per_image_share(1024 * 10**2, 100, 2, 1024) == 512
    assert per_image_share(1024 * 10**4, 10582, 2, 1024) == 483
    assert per_image_share(10**6, 10, 1, 64) == 64  # cut to the grid
    assert per_image_share(None, 10, 1, 64) == 64
    with pytest.raises(ValueError, match='smaller than'):
        per_image_share(100, 101, 1, 64)


def test_sampling_keeps_the_lowest_scores_rare_classes_first():
    # one image of 2 x 2 patches, 3 classes: {0}, {0}, {0, 1}, {2}
    hist = torch.zeros(1, 3, 2, 2)
    hist[0, 0, 0, 0] = hist[0, 0, 0, 1] = 1
    hist[0, :2, 1, 0] = .5
    hist[0, 2, 1, 1] = 1
    n_c = [3, 1, 1]  # patches holding class c
    classes = [[0], [0], [0, 1], [2]]
    for seed in range(5):
        u = torch.rand(1, 4, generator=torch.Generator().manual_seed(seed),
                       dtype=torch.float64)[0].tolist()
        score = [u[p] * sum(n_c[c] for c in classes[p]) for p in range(4)]
        expected = sorted(range(4), key=lambda p: score[p])[:2]
        got = sample_patches(hist, 2, torch.Generator().manual_seed(seed))
        assert got[0].tolist() == expected
    # a patch without labelled pixels ('skip') comes after all others
    unlabelled = hist.clone()
    unlabelled[0, :, 1, 1] = 0
    for seed in range(5):
        got = sample_patches(unlabelled, 3,
                             torch.Generator().manual_seed(seed))
        assert sorted(got[0].tolist()) == [0, 1, 2]
    # over many draws the lone class-2 patch (score u * 1) wins most often
    wins = sum(3 in sample_patches(hist, 1, torch.Generator().manual_seed(
        s))[0].tolist() for s in range(200))
    assert wins > 100


def test_bank_is_capped_and_the_exact_search_bounded():
    train = make_split(0, 12)  # 12 images x 4 x 4 patches = 192 > 40
    cfg = HummingbirdConfig(memory_size=40, img_size=32, augment=False,
                            batch_size=5)
    stats = {}
    keys, values = build_memory(OracleBackbone(), train, K, cfg, stats)
    assert stats['per_image'] == 40 // 12 == 3
    assert keys.shape == (36, K) and values.shape == (36, K)
    assert stats['bank_bytes'] == 2 * 36 * K * 4
    assert torch.allclose(keys.norm(dim=1), torch.ones(36))
    # oracle features are the one-hot class of the (pure) patch
    assert torch.equal(keys, values)
    # a bank of 20,000 rows: blocks of at most 64 x 1,000 similarities
    gen = torch.Generator().manual_seed(0)
    bank = F.normalize(torch.randn(20000, 16, generator=gen), dim=1)
    queries = F.normalize(torch.randn(200, 16, generator=gen), dim=1)
    stats = {}
    sim, idx = chunked_topk(queries, bank, 30, bank_chunk=1000,
                            query_chunk=64, stats=stats)
    assert stats['max_block'] == 64 * 1000
    ref_sim, ref_idx = (queries @ bank.T).topk(30, dim=1)
    assert torch.allclose(sim, ref_sim, atol=1e-6)
    # the same neighbours (up to the order of equal similarities)
    assert (idx == ref_idx).float().mean() > 0.99
    assert torch.allclose((queries[:, None] * bank[idx]).sum(-1), ref_sim,
                          atol=1e-6)


def test_augmentation_crops_image_and_mask_alike():
    # black = class 0, white = class 1: jitter cannot swap them
    label = np.kron(np.random.default_rng(0).integers(0, 2, (8, 8)),
                    np.ones((12, 12), dtype=np.int64))
    image = np.repeat((label * 255).astype(np.uint8)[..., None], 3, 2)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        for _ in range(5):
            img, lab = augment_pair(image, label, 40, (0.5, 2.0))
            assert img.shape == (40, 40, 3) and lab.shape == (40, 40)
            agree = ((img.mean(-1) > 128) == (lab == 1)).mean()
            assert agree > 0.95


def test_oracle_features_retrieve_their_own_labels():
    cfg = HummingbirdConfig(memory_size=8 * 16, img_size=32, augment=False,
                            index='exact')
    keys, values = build_memory(OracleBackbone(), make_split(0, 8), K, cfg)
    scores = hummingbird_scores(OracleBackbone(), PatchIndex(keys, cfg),
                                values, make_split(1, 4), K, cfg)
    # exact patch labels; only the bilinear upsampling blurs block edges
    assert scores['pixel_acc'] > 0.95 and scores['mIoU'] > 0.9


def test_registered_protocol_states_its_settings(tmp_path):
    assert 'hummingbird' in EVAL_PROTOCOLS.module_dict
    root = make_voc_set(tmp_path / 'voc', num_train=4, num_test=2)
    backbone = load_frozen_backbone(None, 18)
    result = run_protocol('hummingbird', backbone, root, img_size=64,
                          memory_size=4 * 8, index='exact')
    assert 0 <= result.metrics['mIoU'] <= 100
    assert result.settings['num_neighbours'] == 30
    assert result.settings['temperature'] == 0.02
    assert result.settings['memory_size'] == 32
    assert result.settings['index'] == 'exact'
    assert result.extra['bank_size'] == 32 and result.extra['per_image'] == 8
    with pytest.raises(ValueError, match='known: memory_size'):
        run_protocol('hummingbird', backbone, root, neighbours=5)
