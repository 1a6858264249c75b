# Copyright (c) mmpixpro contributors. All rights reserved.
"""DAVIS boundary F on squares whose contours and matches are counted by
hand, checked against a plain double loop over boundary pixels."""
import math

import pytest
import torch

from mmpixpro.evaluation.boundary_f import (boundary_f, boundary_map,
                                            boundary_precision_recall,
                                            boundary_tolerance)


def square(y0=10, x0=10, side=10, size=40):
    mask = torch.zeros(size, size, dtype=torch.bool)
    mask[y0:y0 + side, x0:x0 + side] = True
    return mask


def hand_ring(y0=10, x0=10, side=10):
    """DAVIS' contour of the square [y0, y0+side) x [x0, x0+side): the row
    and column just before it (outside) and its last row and column
    (inside), i.e. the ring of the (side+1)^2 box from (y0-1, x0-1)."""
    top, left = y0 - 1, x0 - 1
    bottom, right = y0 + side - 1, x0 + side - 1
    return {(y, x) for y in range(top, bottom + 1)
            for x in range(left, right + 1)
            if y in (top, bottom) or x in (left, right)}


def loop_f(pred_ring, gt_ring, radius):
    """P, R, F by explicit loops: a contour pixel is matched when a pixel of
    the other contour lies within Euclidean distance ``radius``."""
    def matched(a, b):
        return sum(any(math.hypot(y - v, x - u) <= radius for v, u in b)
                   for y, x in a)
    p = matched(pred_ring, gt_ring) / len(pred_ring)
    r = matched(gt_ring, pred_ring) / len(gt_ring)
    return p, r, (0.0 if p + r == 0 else 2 * p * r / (p + r))


def test_contour_is_the_hand_ring():
    bmap = boundary_map(square())
    assert {tuple(p) for p in bmap.nonzero().tolist()} == hand_ring()
    assert int(bmap.sum()) == 4 * 11 - 4


@pytest.mark.parametrize('shift, expected', [(0, 1.0), (1, 1.0), (5, 0.5)])
def test_shifted_square_at_two_pixels(shift, expected):
    # bound_th >= 1 is a tolerance in pixels. Shift 1: every contour pixel
    # is 1 px from the other contour. Shift 5: of the 40 contour pixels of
    # the shifted square, the top and bottom rows match at x0+4..x0+11
    # (8 + 8: 6 overlap, 2 within 2 px of the other corner) and the left
    # column at 4 more pixels (1 and 2 rows from the top and bottom rows);
    # 20 / 40 = 0.5 both ways, F = 0.5
    gt, pred = square(), square(x0=10 + shift)
    p, r = boundary_precision_recall(pred, gt, bound_th=2)
    assert (p, r) == (expected, expected)
    assert boundary_f(pred, gt, bound_th=2) == expected
    assert (p, r, expected) == pytest.approx(
        loop_f(hand_ring(x0=10 + shift), hand_ring(), 2))


def test_shift_five_against_the_loop_at_other_tolerances():
    gt, pred = square(), square(x0=15)
    for radius in (1, 3, 4, 5):
        expected = loop_f(hand_ring(x0=15), hand_ring(), radius)
        got = boundary_precision_recall(pred, gt, bound_th=radius)
        assert got == pytest.approx(expected[:2])
    assert boundary_f(pred, gt, bound_th=5) == 1.0


def test_tolerance_is_ceil_of_diagonal_fraction():
    assert boundary_tolerance((480, 854)) == 8  # 0.008 * 979.6 = 7.84
    assert boundary_tolerance((60, 80)) == 1  # 0.008 * 100 = 0.8
    assert boundary_tolerance((60, 80), bound_th=3) == 3


def test_empty_masks():
    empty = torch.zeros(40, 40, dtype=torch.bool)
    assert boundary_precision_recall(empty, square()) == (1.0, 0.0)
    assert boundary_f(empty, square()) == 0.0
    assert boundary_precision_recall(square(), empty) == (0.0, 1.0)
    assert boundary_f(square(), empty) == 0.0
    assert boundary_f(empty, empty) == 1.0


def test_void_pixels_are_removed_first():
    # the right half void: both squares lose the part where they differ
    gt, pred = square(), square(x0=15)
    void = torch.zeros(40, 40, dtype=torch.bool)
    void[:, 14:] = True
    assert boundary_f(pred, gt, void, bound_th=2) == boundary_f(
        pred & ~void, gt & ~void, bound_th=2)
