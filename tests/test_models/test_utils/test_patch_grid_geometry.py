# Copyright (c) mmpixpro contributors. All rights reserved.
"""Positive masks on ViT patch grids against hand-computed cases.

A cell ``i`` of a stride-``p`` grid covers pixels ``[i * p, (i + 1) * p)``
of an ``S`` px crop (padded at the bottom/right when ``p`` does not divide
``S``), so its centre is ``x_ul + (i + 0.5) * p / S * (x_lr - x_ul)``. Each
case has a known set of positive pairs; a grid mis-mapped by one patch (or
placed by ``(i + 0.5) / n`` on a padded grid) gives another set.
"""
import pytest
import torch

from mmpixpro.models.utils import grid_boxes, positive_mask


def mask_on_grid(box_a, box_b, size_a, size_b, stride):
    """positive_mask of two views of (S_a, S_b) px, grids of ``stride``."""
    n_a = -(-size_a // stride)
    n_b = -(-size_b // stride)
    a = grid_boxes(torch.tensor([box_a]), (size_a, size_a), (n_a, n_a),
                   (stride, stride))
    b = grid_boxes(torch.tensor([box_b]), (size_b, size_b), (n_b, n_b),
                   (stride, stride))
    return positive_mask(a, b, (n_a, n_a), (n_b, n_b))[0]


def offset_pairs(n_a, n_b, shift_a, shift_b=0, flip_b=False):
    """Expected mask: cell (r, c) of B pairs with cell (r + shift_a - shift_b,
    c' + shift_a - shift_b) of A, c' = n_b - 1 - c if B is flipped."""
    expected = torch.zeros(n_a * n_a, n_b * n_b)
    for r in range(n_b):
        for c in range(n_b):
            cc = n_b - 1 - c if flip_b else c
            ra, ca = r + shift_a - shift_b, cc + shift_a - shift_b
            if 0 <= ra < n_a and 0 <= ca < n_a:
                expected[ra * n_a + ca, r * n_b + c] = 1
    return expected


@pytest.mark.parametrize('size,stride,n', [(224, 16, 14), (224, 14, 16)])
def test_grid_of_a_box_shifted_by_half(size, stride, n):
    # B's box starts half-way into A's: B's cell (r, c) is A's (r + n/2,
    # c + n/2) exactly; the next cell is 1 bin away = 1/sqrt(2) diagonals,
    # above T = 0.7, so the pairs are exactly these (n/2)^2
    mask = mask_on_grid([0., 0., .5, .5], [.25, .25, .75, .75], size, size,
                        stride)
    assert mask.shape == (n * n, n * n)
    expected = offset_pairs(n, n, n // 2)
    assert int(expected.sum()) == (n // 2)**2
    assert torch.equal(mask, expected)
    # a grid off by one patch is told apart
    assert not torch.equal(mask, offset_pairs(n, n, n // 2 + 1))


@pytest.mark.parametrize('size,stride,n', [(224, 16, 14), (224, 14, 16)])
def test_grid_of_a_flipped_box(size, stride, n):
    # B = A's right half, flipped: B's column c is A's column n - 1 - c
    mask = mask_on_grid([0., 0., 1., 1.], [1., 0., .5, .5], size, size,
                        stride)
    expected = torch.zeros(n * n, n * n)
    # by hand, in units of 1 / (4n) of the image (all integers): A's cell
    # (R, C) is centred at (4C + 2, 4R + 2), B's cell (r, c) at
    # (4n - 2c - 1, 2r + 1) (B's bins are half as wide, counted from x = 1
    # leftwards); A's diagonal, the larger, is 4 sqrt(2): d < 0.7 diagonals
    # <=> d^2 < 0.49 * 32
    for R in range(n):
        for C in range(n):
            for r in range(n):
                for c in range(n):
                    ax, ay = 4 * C + 2, 4 * R + 2
                    bx, by = 4 * n - 2 * c - 1, 2 * r + 1
                    d2 = (ax - bx)**2 + (ay - by)**2
                    expected[R * n + C, r * n + c] = float(d2 < 0.49 * 32)
    assert expected.sum() > 0 and torch.equal(mask, expected)
    assert not torch.equal(mask, mask.roll(1, dims=1))


def test_padded_grid_centres_at_patch_stride_not_size_over_n():
    # 100 px at stride 16: 7 cells over 112 px (the last padded); A's box
    # [0, 0.5] -> cells of 0.5 * 16 / 100 = 0.08, centres 0.04 + 0.08 i.
    # B: 112 px (7 cells, exact) on [0.16, 0.72] -> cells of 0.08, centres
    # 0.2 + 0.08 i = A's cell i + 2. Pairs: A(r + 2, c + 2) - B(r, c).
    a = grid_boxes(torch.tensor([[0., 0., .5, .5]]), (100, 100), (7, 7),
                   (16, 16))
    torch.testing.assert_close(a, torch.tensor([[0., 0., .56, .56]]))
    mask = mask_on_grid([0., 0., .5, .5], [.16, .16, .72, .72], 100, 112,
                        16)
    expected = offset_pairs(7, 7, 2)
    assert int(expected.sum()) == 25
    assert torch.equal(mask, expected)
    # (i + 0.5) / n on the padded grid (the ResNet convention) is wrong here
    naive = positive_mask(
        torch.tensor([[0., 0., .5, .5]]), torch.tensor([[.16, .16, .72,
                                                         .72]]), (7, 7),
        (7, 7))[0]
    assert not torch.equal(naive, expected)


def test_no_stride_and_exact_grids_leave_boxes_alone():
    box = torch.tensor([[.1, .2, .7, .9], [.8, .1, .3, .6]])
    assert grid_boxes(box, (100, 100), (4, 4), None) is box  # ResNet
    assert torch.equal(grid_boxes(box, (224, 224), (14, 14), (16, 16)), box)
    flipped = grid_boxes(box, (100, 100), (7, 7), (16, 16))
    torch.testing.assert_close(flipped[1],
                               torch.tensor([.8, .1, .8 - .5 * 1.12,
                                             .1 + .5 * 1.12]))
    with pytest.raises(ValueError, match='stride'):
        grid_boxes(box, (224, 224), (7, 7), (16, 16))


def loop_mask(box_a, box_b, size_a, size_b, stride, threshold=0.7):
    """The mask by explicit loops over cells: centre of cell i at
    ``x_ul + (i + 0.5) * p / S * (x_lr - x_ul)``, distance over the larger
    cell diagonal."""
    def cells(box, size):
        n = -(-size // stride)
        w = (box[2] - box[0]) * stride / size
        h = (box[3] - box[1]) * stride / size
        centres = [(box[0] + (c + .5) * w, box[1] + (r + .5) * h)
                   for r in range(n) for c in range(n)]
        return centres, (w * w + h * h)**.5

    cells_a, diag_a = cells(box_a, size_a)
    cells_b, diag_b = cells(box_b, size_b)
    diag = max(diag_a, diag_b)
    return torch.tensor([[
        float(((xa - xb)**2 + (ya - yb)**2)**.5 / diag < threshold)
        for xb, yb in cells_b
    ] for xa, ya in cells_a])


@pytest.mark.parametrize('size_b,box_b', [
    (96, [0., 2 / 14, 12 / 14, 1.]),  # 6 x 6 cells of 2 x 2 global cells
    (96, [.9, .1, .3, .7]),  # flipped
    (100, [.05, .3, .65, .9]),  # 7 x 7 cells over 112 px (padded)
])
def test_global_224_against_local_view_by_loops(size_b, box_b):
    # multi-crop: a 14 x 14 grid (224 px) against a local view's grid
    box_a = [.02, 0., .98, .96]
    mask = mask_on_grid(box_a, box_b, 224, size_b, 16)
    expected = loop_mask(box_a, box_b, 224, size_b, 16)
    assert 0 < expected.sum() < expected.numel()
    assert torch.equal(mask, expected)
