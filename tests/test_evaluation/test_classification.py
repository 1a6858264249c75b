# Copyright (c) mmpixpro contributors. All rights reserved.
"""Classification protocols: the weighted kNN vote against known
neighbours, a linear head on a separable set, the loaders."""
import math
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from mmpixpro.evaluation import (ClsDataset, knn_class_scores,
                                 run_protocol, topk_accuracy,
                                 train_linear_classifier)
from mmpixpro.evaluation.knn_classifier import (search_bytes,
                                                top_k_neighbours)

STEP = 40  # the class id is encoded as red = id * STEP


def unit(degrees: float) -> list:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


# one test feature at 0 degrees; train features at known angles
TRAIN = torch.tensor([unit(10), unit(20), unit(25), unit(90), unit(180)])
TRAIN_LABELS = torch.tensor([0, 1, 1, 2, 0])
TEST = torch.tensor([unit(0)])


def vote_by_hand(k: int, temperature: float, num_classes: int = 3) -> list:
    """w_c = sum over the k most similar train features of class c of
    exp(s / T), with explicit loops."""
    sims = [sum(a * b for a, b in zip(TEST[0].tolist(), f.tolist()))
            for f in TRAIN]
    order = sorted(range(len(sims)), key=lambda i: -sims[i])[:k]
    votes = [0.0] * num_classes
    for i in order:
        votes[int(TRAIN_LABELS[i])] += math.exp(sims[i] / temperature)
    return votes


def test_knn_vote_of_known_neighbours():
    # k = 1: the nearest (10 deg, class 0) wins
    scores = knn_class_scores(TRAIN, TRAIN_LABELS, TEST, 3, k=1)
    assert scores.argmax().item() == 0
    # k = 3, T = 0.07: exp(cos10/T) = 1.29e6 beats
    # exp(cos20/T) + exp(cos25/T) = 1.10e6: class 0
    scores = knn_class_scores(TRAIN, TRAIN_LABELS, TEST, 3, k=3,
                              temperature=0.07)
    assert scores[0].tolist() == pytest.approx(vote_by_hand(3, 0.07),
                                               rel=1e-5)
    assert scores.argmax().item() == 0
    # a flatter weighting (T = 0.5) lets the two class-1 votes win
    scores = knn_class_scores(TRAIN, TRAIN_LABELS, TEST, 3, k=3,
                              temperature=0.5)
    assert scores[0].tolist() == pytest.approx(vote_by_hand(3, 0.5),
                                               rel=1e-5)
    assert scores.argmax().item() == 1
    # k larger than the bank: every train feature votes (class 2 at
    # 90 deg: exp(0) = 1; class 0 also gets exp(-1 / T) from 180 deg)
    scores = knn_class_scores(TRAIN, TRAIN_LABELS, TEST, 3, k=200)
    assert scores[0].tolist() == pytest.approx(vote_by_hand(5, 0.07),
                                               rel=1e-5)
    assert scores[0, 2].item() == pytest.approx(1.0)


def test_chunked_search_equals_one_block():
    gen = torch.Generator().manual_seed(0)
    train = F.normalize(torch.randn(50, 8, generator=gen), dim=1)
    labels = torch.randint(0, 4, (50, ), generator=gen)
    test = F.normalize(torch.randn(7, 8, generator=gen), dim=1)
    full_sim, full_idx = (test @ train.T).topk(20, dim=1)
    sim, idx = top_k_neighbours(train, test, 20, train_chunk=8)
    assert torch.equal(idx, full_idx) and torch.allclose(sim, full_sim)
    chunked = knn_class_scores(train, labels, test, 4, k=20,
                               query_chunk=3, train_chunk=8)
    whole = knn_class_scores(train, labels, test, 4, k=20,
                             query_chunk=100, train_chunk=100)
    assert torch.allclose(chunked, whole)
    # the bound: 4 bytes x 256 queries x (2 x 32768 + 200)
    assert search_bytes(256, 32768, 200) == 4 * 256 * (2 * 32768 + 200)


def test_topk_accuracy_by_hand():
    scores = torch.tensor([[0.1, 0.5, 0.2, 0.0, 0.3, 0.4],
                           [0.9, 0.1, 0.2, 0.3, 0.4, 0.5]])
    labels = torch.tensor([1, 1])
    assert topk_accuracy(scores, labels, (1, 5)) == {1: 50.0, 5: 50.0}
    assert topk_accuracy(scores, labels, (6, ))[6] == 100.0


def test_linear_head_separates_a_separable_set():
    gen = torch.Generator().manual_seed(0)
    centres = 4 * torch.eye(5, 16)  # 5 classes, margin >> noise
    labels = torch.arange(5).repeat(12)
    feats = centres[labels] + 0.5 * torch.randn(60, 16, generator=gen)
    model = train_linear_classifier(feats, labels, 5, epochs=20,
                                    batch_size=16)
    with torch.no_grad():
        assert (model(feats).argmax(1) == labels).all()
        test = centres[labels] + 0.5 * torch.randn(60, 16, generator=gen)
        assert (model(test).argmax(1) == labels).all()


class ColourOracle(nn.Module):
    """One-hot of the class id encoded in the red channel, (N, K, 1, 1)."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        red = x[:, 0].mean((1, 2)) * 58.395 + 123.675  # undo normalising
        label = (red / STEP).round().long().clamp(0, self.num_classes - 1)
        return F.one_hot(label, self.num_classes).float()[..., None, None]


def write_class_folders(root, per_class: dict, size: int = 32) -> None:
    """``root/<split>/<class>/*.png``: class c is red = c * STEP."""
    rng = np.random.default_rng(0)
    for split, count in per_class.items():
        for c, name in enumerate(('ant', 'bee', 'cat')):
            folder = os.path.join(root, split, name)
            os.makedirs(folder)
            for i in range(count):
                img = rng.integers(0, 255, (size, size + 8, 3), np.uint8)
                img[..., 0] = c * STEP
                Image.fromarray(img).save(os.path.join(folder, f'{i}.png'))


@pytest.mark.parametrize('name', ['knn-cls', 'linear-cls'])
def test_protocols_on_a_separable_folder(tmp_path, name):
    write_class_folders(str(tmp_path), {'train': 4, 'val': 2})
    result = run_protocol(name, ColourOracle(3), str(tmp_path), resize=32,
                          crop=32)
    if name == 'knn-cls':
        assert result.metrics == {'top1@k20': 100.0, 'top1@k200': 100.0}
        assert result.settings['ks'] == [20, 200]
        assert result.settings['temperature'] == 0.07
        assert result.extra['k_used'] == {'20': 12, '200': 12}
    else:
        assert result.metrics == {'top1': 100.0}  # no top-5 for 3 classes
        assert result.settings['epochs'] == 100
    assert result.extra['num_train'] == 12 and result.extra['num_val'] == 6
    assert result.settings['resize'] == 32 and result.protocol == name


def test_folder_loader(tmp_path):
    write_class_folders(str(tmp_path), {'train': 2, 'val': 1})
    data = ClsDataset(str(tmp_path), 'val', resize=16, crop=16)
    assert data.classes == ('ant', 'bee', 'cat') and data.labels == [0, 1, 2]
    image, label = data[2]
    assert image.shape == (16, 16, 3) and label == 2
    assert abs(int(image[..., 0].mean()) - 2 * STEP) <= 1
    os.makedirs(tmp_path / 'val' / 'dog')
    with pytest.raises(ValueError, match='dog'):
        ClsDataset(str(tmp_path), 'val')


def test_ann_file_loader_names_missing_files(tmp_path):
    write_class_folders(str(tmp_path), {'train': 2})
    (tmp_path / 'meta').mkdir()
    (tmp_path / 'meta' / 'train.txt').write_text(
        'cat/0.png 2\nant/1.png 0\n')
    data = ClsDataset(str(tmp_path), 'train', 'meta/train.txt', crop=None,
                      resize=None)
    assert data.labels == [2, 0] and data.classes == ('0', '1', '2')
    assert data[0][0].shape == (32, 40, 3)
    (tmp_path / 'meta' / 'classes.txt').write_text('ant\nbee\ncat\n')
    data = ClsDataset(str(tmp_path), 'train', 'meta/train.txt')
    assert data.classes == ('ant', 'bee', 'cat')
    (tmp_path / 'meta' / 'train.txt').write_text(
        'cat/0.png 2\ncat/7.png 2\n')
    with pytest.raises(FileNotFoundError, match=r'train.txt:2.*cat/7.png'):
        ClsDataset(str(tmp_path), 'train', 'meta/train.txt')
    with pytest.raises(FileNotFoundError, match='meta/val.txt'):
        ClsDataset(str(tmp_path), 'val', 'meta/val.txt')
    (tmp_path / 'meta' / 'train.txt').write_text('cat/0.png two\n')
    with pytest.raises(ValueError, match='train.txt:1'):
        ClsDataset(str(tmp_path), 'train', 'meta/train.txt')
