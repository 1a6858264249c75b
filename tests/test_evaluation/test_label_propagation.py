# Copyright (c) mmpixpro contributors. All rights reserved.
"""Propagation with oracle features copies the mask exactly."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from oracle import PATCH, OracleBackbone, encode

from mmpixpro.evaluation import (PropagationConfig, evaluate_sequence,
                                 extract_features, propagate_labels)


def moving_band_masks(num_frames=6, cells=8):
    """A full-width band of object 1 moving down one patch a frame, and
    object 2 a band below it (no corners: bilinear upsampling is exact)."""
    masks = np.zeros((num_frames, cells * PATCH, cells * PATCH), np.int64)
    for t in range(num_frames):
        masks[t, t * PATCH:(t + 1) * PATCH] = 1
        masks[t, (t + 2) * PATCH:(t + 3) * PATCH] = 2
    return masks


def test_oracle_copies_mask_exactly():
    masks = moving_band_masks()
    feats = extract_features(OracleBackbone(), [encode(m) for m in masks])
    result = evaluate_sequence(feats, torch.from_numpy(masks),
                               PropagationConfig(radius=3))
    assert result['J'] == 1.0
    assert result['J_per_object'] == {1: 1.0, 2: 1.0}


def test_soft_labels_at_feature_resolution():
    labels = torch.tensor([[0, 1], [2, 2]])
    onehot = F.one_hot(labels, 3).permute(2, 0, 1).float()  # (3, 2, 2)
    feats = torch.stack([onehot, onehot.flip(1)])  # frame 1: rows swapped
    soft = propagate_labels(feats, onehot,
                            PropagationConfig(topk=1, radius=None))
    assert torch.allclose(soft[1], onehot.flip(1))


def test_wrong_features_give_low_j():
    masks = moving_band_masks()
    feats = torch.ones(len(masks), 4, 8, 8)  # no information at all
    result = evaluate_sequence(feats, torch.from_numpy(masks),
                               PropagationConfig(radius=None))
    assert result['J'] < 0.5


# --- DAVIS-2017 J&F -------------------------------------------------------


def square_mask(size=40, y0=10, x0=10, side=10):
    mask = torch.zeros(size, size, dtype=torch.long)
    mask[y0:y0 + side, x0:x0 + side] = 1
    return mask


def test_jf_of_two_known_sequences():
    from mmpixpro.evaluation import davis_summary, sequence_jf

    # sequence A: one object, predicted exactly on the scored frames 1, 2
    gt_a = torch.stack([square_mask()] * 4)
    pred_a = gt_a.clone()
    pred_a[3] = 0  # the last frame is not scored by DAVIS
    # sequence B: object 1 exact; object 2 shifted by 5 px in frame 1
    # (J = 50 / 150, F = 0.5 at 2 px, see test_boundary_f) and missing in
    # frame 2 (J = F = 0)
    obj2 = 2 * square_mask(y0=25, x0=5)
    gt_b = torch.stack([square_mask() + obj2] * 4)
    pred_b = gt_b.clone()
    pred_b[1] = square_mask() + 2 * square_mask(y0=25, x0=10)
    pred_b[2] = square_mask()
    pred_b[0] = pred_b[3] = 0  # neither the given first nor the last frame
    scores = {'a': sequence_jf(pred_a, gt_a, bound_th=2),
              'b': sequence_jf(pred_b, gt_b, bound_th=2)}
    assert scores['b']['J'][2] == pytest.approx([1 / 3, 0.0])
    assert scores['b']['F'][2] == [0.5, 0.0]
    table = davis_summary(scores)
    # objects a1, b1 (all 1) and b2: J mean (1 + 1 + 1/6) / 3, F mean
    # (1 + 1 + 0.25) / 3; recall counts frames > 0.5: 1, 1, 0
    j_mean, f_mean = 100 * 13 / 18, 100 * 0.75
    assert table == pytest.approx({
        'J&F-Mean': (j_mean + f_mean) / 2, 'J-Mean': j_mean,
        'J-Recall': 100 * 2 / 3, 'F-Mean': f_mean, 'F-Recall': 100 * 2 / 3})


def test_jf_void_pixels_and_object_ids():
    from mmpixpro.evaluation import sequence_jf

    gt = torch.stack([square_mask()] * 3)
    gt[:, :, 30:] = 255  # void: left out of J and F, not an object
    pred = gt.where(gt != 255, 1)  # predicts the object over the void
    scores = sequence_jf(pred, gt, bound_th=2)
    assert list(scores['J']) == [1]
    assert scores['J'][1] == [1.0] and scores['F'][1] == [1.0]


class RedIdBackbone(torch.nn.Module):
    """One-hot of round(red / 100) per PATCH cell: survives JPEG."""

    def __init__(self) -> None:
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        red = x[:, 0] * 58.395 + 123.675
        ids = (F.avg_pool2d(red[:, None], PATCH) / 100).round().long()
        return F.one_hot(ids[:, 0].clamp(0, 2), 3).permute(0, 3, 1,
                                                           2).float()


def write_davis(root, names=('bands', 'other')):
    """The DAVIS-2017 layout: 480p folders, palette PNGs, val.txt."""
    from PIL import Image
    masks = moving_band_masks(num_frames=5)
    for name in names:
        for sub in ('JPEGImages', 'Annotations'):
            (root / sub / '480p' / name).mkdir(parents=True)
        for t, mask in enumerate(masks):
            img = np.zeros(mask.shape + (3, ), np.uint8)
            img[..., 0] = mask * 100
            Image.fromarray(img).save(
                root / 'JPEGImages' / '480p' / name / f'{t:05d}.jpg',
                quality=95)
            png = Image.fromarray(mask.astype(np.uint8), mode='P')
            png.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0] + [0] * 759)
            png.save(root / 'Annotations' / '480p' / name / f'{t:05d}.png')
    (root / 'ImageSets' / '2017').mkdir(parents=True)
    (root / 'ImageSets' / '2017' / 'val.txt').write_text('bands\n')
    return str(root)


def test_davis_protocol_on_the_real_layout(tmp_path):
    from mmpixpro.evaluation import run_protocol

    root = write_davis(tmp_path / 'DAVIS')
    result = run_protocol('davis', RedIdBackbone(), root, radius=3)
    assert result.protocol == 'davis'
    assert result.metrics['J&F-Mean'] == 100.0
    assert set(result.metrics) == {'J&F-Mean', 'J-Mean', 'J-Recall',
                                   'F-Mean', 'F-Recall'}
    assert result.extra['num_sequences'] == 1  # only val.txt's
    assert set(result.extra['per_object']) == {'bands_1', 'bands_2'}
    s = result.settings
    assert (s['resolution'], s['split'], s['bound_th']) == ('480p', 'val',
                                                            0.008)
    assert (s['topk'], s['num_context'], s['radius']) == (5, 7, 3)
    with pytest.raises(ValueError, match='unknown davis settings'):
        run_protocol('davis', RedIdBackbone(), root, top_k=3)
