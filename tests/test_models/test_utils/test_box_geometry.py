# Copyright (c) mmpixpro contributors. All rights reserved.
import math

import numpy as np
import torch

from mmpixpro.models.utils import (bin_centers, normalized_bin_distance,
                                   positive_mask)


def boxes(*rows):
    return torch.tensor(rows, dtype=torch.float32)


def test_bin_centers_by_hand():
    # box x in [0.2, 0.6], y in [0.0, 0.9]; 3 rows x 2 cols
    centers, diag = bin_centers(boxes([0.2, 0.0, 0.6, 0.9]), (3, 2))
    # bin_w = 0.2, bin_h = 0.3 ; centres x = 0.3, 0.5 ; y = 0.15, 0.45, 0.75
    expected = torch.tensor([[0.3, 0.15], [0.5, 0.15], [0.3, 0.45],
                             [0.5, 0.45], [0.3, 0.75], [0.5, 0.75]])
    assert torch.allclose(centers[0], expected, atol=1e-6)
    assert math.isclose(diag.item(), math.sqrt(0.2**2 + 0.3**2), rel_tol=1e-6)


def test_flipped_box_reverses_columns():
    centers, diag = bin_centers(boxes([0.6, 0.0, 0.2, 0.9]), (3, 2))
    # negative bin_w = -0.2: column 0 is now on the right
    assert torch.allclose(centers[0, 0], torch.tensor([0.5, 0.15]))
    assert torch.allclose(centers[0, 1], torch.tensor([0.3, 0.15]))
    # the diagonal is unsigned
    assert math.isclose(diag.item(), math.sqrt(0.2**2 + 0.3**2), rel_tol=1e-6)


def test_identical_boxes_pair_each_bin_with_itself_only():
    b = boxes([0.0, 0.0, 1.0, 1.0])
    mask = positive_mask(b, b, (2, 2), (2, 2))
    # neighbours are bin_w / diag = 1/sqrt(2) = 0.7071 apart: not < 0.7
    assert torch.equal(mask[0], torch.eye(4))
    # but with T = 0.75 the 4-neighbours become positive
    mask = positive_mask(b, b, (2, 2), (2, 2), threshold=0.75)
    expected = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 1], [1, 0, 1, 1],
                             [0, 1, 1, 1]]).float()
    assert torch.equal(mask[0], expected)


def test_flipped_view_pairs_mirrored_bins():
    a = boxes([0.0, 0.0, 1.0, 1.0])
    b = boxes([1.0, 0.0, 0.0, 1.0])  # same crop, flipped
    mask = positive_mask(a, b, (2, 2), (2, 2))
    # bin (r, c) of A is bin (r, 1 - c) of B
    expected = torch.tensor([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1],
                             [0, 0, 1, 0]]).float()
    assert torch.equal(mask[0], expected)


def test_disjoint_boxes_have_no_pair():
    a = boxes([0.0, 0.0, 0.4, 0.4])
    b = boxes([0.6, 0.6, 1.0, 1.0])
    assert positive_mask(a, b, (2, 2), (2, 2)).sum() == 0


def test_distance_uses_larger_diagonal_and_different_grids():
    a = boxes([0.0, 0.0, 1.0, 1.0])  # 2x2 bins of 0.5: diag 0.7071
    b = boxes([0.5, 0.0, 1.0, 0.5])  # 1x1 bin of 0.5 centred at (.75, .25)
    dist = normalized_bin_distance(a, b, (2, 2), (1, 1))[0, :, 0]
    d = math.sqrt(0.5)
    expected = torch.tensor([0.5 / d, 0.0, math.sqrt(0.5) / d, 0.5 / d])
    assert torch.allclose(dist, expected, atol=1e-6)
    mask = positive_mask(a, b, (2, 2), (1, 1))[0, :, 0]
    assert mask.tolist() == [0.0, 1.0, 0.0, 0.0]
    # a smaller box B: its diagonal is smaller, A's (larger) one is used
    b_small = boxes([0.7, 0.2, 0.8, 0.3])  # centre (.75, .25), diag .1414
    dist = normalized_bin_distance(a, b_small, (2, 2), (1, 1))[0, :, 0]
    assert torch.allclose(dist, expected, atol=1e-6)


def reference_distance(boxes_a, boxes_b, grid):
    """Normalised bin distances in float64 numpy, bin by bin."""
    a, b = boxes_a.double().numpy(), boxes_b.double().numpy()
    rows, cols = np.meshgrid(np.arange(grid) + 0.5, np.arange(grid) + 0.5,
                             indexing='ij')
    out = []
    for box_a, box_b in zip(a, b):
        centres, diags = [], []
        for x_ul, y_ul, x_lr, y_lr in (box_a, box_b):
            bin_w, bin_h = (x_lr - x_ul) / grid, (y_lr - y_ul) / grid
            centres.append(np.stack([cols * bin_w + x_ul,
                                     rows * bin_h + y_ul], -1).reshape(-1, 2))
            diags.append(math.hypot(bin_w, bin_h))
        diff = centres[0][:, None] - centres[1][None]
        out.append(np.sqrt((diff**2).sum(-1)) / max(diags))
    return np.stack(out)


def near_threshold_boxes():
    """7 x 7 grids (49 points, where float32 cdist takes its matrix-product
    path): view B is view A shifted right by (0.7 + e) bin diagonals, e
    within 1e-6, so the pairs of equal bins lie just inside or outside."""
    rows_a, rows_b = [], []
    for k, e in enumerate([-9e-7, -5e-7, -2e-7, 2e-7, 5e-7, 9e-7]):
        x0, y0, side = 0.05 + 0.01 * k, 0.1 + 0.02 * k, 0.7 - 0.05 * k
        shift = (0.7 + e) * math.sqrt(2) * side / 7
        rows_a.append([x0, y0, x0 + side, y0 + side])
        rows_b.append([x0 + shift, y0, x0 + shift + side, y0 + side])
    return boxes(*rows_a), boxes(*rows_b)


def test_pairs_within_1e6_of_the_threshold_are_classified_as_float64():
    a, b = near_threshold_boxes()
    ref = reference_distance(a, b, 7)
    near = np.abs(ref - 0.7) < 1e-6
    # the construction does probe the edge, from both sides
    assert (near & (ref < 0.7)).sum() >= 49 and (near & (ref > 0.7)).sum(
    ) >= 49
    mask = positive_mask(a, b, (7, 7), (7, 7)).numpy()
    np.testing.assert_array_equal(mask, (ref < 0.7).astype(np.float32))
    dist = normalized_bin_distance(a, b, (7, 7), (7, 7))
    assert dist.dtype == torch.float32
    assert normalized_bin_distance(a.double(), b, (7, 7),
                                   (7, 7)).dtype == torch.float64
    # the test can fail: the float32 matrix-product expansion misclassifies
    centres_a, diag_a = bin_centers(a, (7, 7))
    centres_b, diag_b = bin_centers(b, (7, 7))
    mm = torch.cdist(centres_a, centres_b,
                     compute_mode='use_mm_for_euclid_dist')
    mm = mm / torch.maximum(diag_a, diag_b)[:, None, None]
    assert ((mm < 0.7).numpy() != (ref < 0.7)).any()


def grid(rows):
    """A 0/1 picture (one string per row) as a flat float mask."""
    return torch.tensor([[float(c) for c in row] for row in rows]).flatten()


def test_7x7_against_3x3_of_one_box_by_hand():
    # bins of 1/7 (A) and 1/3 (B) of the whole image; the larger diagonal
    # sqrt(2)/3 sets the unit: positive iff distance < 0.7 * sqrt(2) / 3
    # = 2.31 / 7, i.e. dx^2 + dy^2 <= 5 in steps of 1/7 around B's centre
    whole = boxes([0.0, 0.0, 1.0, 1.0])
    mask = positive_mask(whole, whole, (7, 7), (3, 3))[0]  # (49, 9)
    assert torch.equal(mask[:, 4], grid(['0000000',
                                         '0011100',
                                         '0111110',
                                         '0111110',
                                         '0111110',
                                         '0011100',
                                         '0000000']))
    # B's top-left bin, centre (1/6, 1/6): A's centres 1/14, 3/14, 5/14
    # lie within 0.33 of it in both axes' combinations, 7/14 does not
    assert torch.equal(mask[:, 0], grid(['1110000',
                                         '1110000',
                                         '1110000',
                                         '0000000',
                                         '0000000',
                                         '0000000',
                                         '0000000']))
    # no hole: every fine bin pairs with the coarse bin it lies in
    assert (mask.sum(1) >= 1).all()
    # symmetric: B against A is the transpose
    assert torch.equal(
        positive_mask(whole, whole, (3, 3), (7, 7))[0], mask.T)


def test_7x7_against_flipped_3x3_by_hand():
    whole = boxes([0.0, 0.0, 1.0, 1.0])
    flipped = boxes([1.0, 0.0, 0.0, 1.0])
    mask = positive_mask(whole, flipped, (7, 7), (3, 3))[0]
    # B's column 0 is now on the right of the image
    assert torch.equal(mask[:, 0], grid(['0000111',
                                         '0000111',
                                         '0000111',
                                         '0000000',
                                         '0000000',
                                         '0000000',
                                         '0000000']))


def test_small_box_3x3_on_the_bins_of_a_7x7_map():
    # B covers A's top-left 3 x 3 bins exactly: both bins are 1/7 wide, so
    # each B bin pairs with the A bin under it only (neighbours are
    # 1/sqrt(2) = 0.707 diagonals apart)
    a = boxes([0.0, 0.0, 1.0, 1.0])
    b = boxes([0.0, 0.0, 3 / 7, 3 / 7])
    mask = positive_mask(a, b, (7, 7), (3, 3))[0]
    expected = torch.zeros(49, 9)
    for r in range(3):
        for c in range(3):
            expected[r * 7 + c, r * 3 + c] = 1
    assert torch.equal(mask, expected)
