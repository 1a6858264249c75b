# Copyright (c) mmpixpro contributors. All rights reserved.
"""R2O's geometric steps and k-means, each against an independent
computation: masks cut into known crops (with and without flip), box edges,
mask pooling of known features, k-means on separable points."""
import torch

from mmpixpro.models.utils import (box_edges, cut_masks, kmeans,
                                   masked_average_pool, one_hot_masks)


def test_cut_hand_made_half_mask_with_and_without_flip():
    # 56 x 56 mask, 1 on the left quarter (columns 0..13)
    mask = torch.zeros(1, 1, 56, 56)
    mask[..., :14] = 1
    box = torch.tensor([[0.0, 0.0, 0.5, 1.0]])  # left half of the image
    out = cut_masks(mask, box, (4, 4))[0, 0]
    # the crop spans x in [0, 28] of the grid; RoIAlign (aligned=False, as
    # the authors) reads cell j at x = j and averages 7 samples per bin at
    # x = 7c + 0.5, ..., 7c + 6.5: bin 1's last sample (13.5) lies halfway
    # between cells 13 (1) and 14 (0), so bin 1 = (6 + 0.5) / 7
    expected = torch.tensor([[1., 13 / 14, 0., 0.]]).repeat(4, 1)
    torch.testing.assert_close(out, expected)
    flipped = cut_masks(mask, box[:, [2, 1, 0, 3]], (4, 4))[0, 0]
    torch.testing.assert_close(flipped, expected.flip(-1))


def test_cut_linear_ramp_matches_bin_centres():
    # m(y, x) = x (column index) and 2y: bilinear sampling is exact on a
    # linear function, so each output bin holds the mean coordinate of its
    # samples = its bin centre in the mask grid (aligned=False: pixel j at j)
    cols = torch.arange(56.).repeat(56, 1)
    mask = torch.stack([cols, 2 * cols.t()])[None]  # (1, 2, 56, 56)
    x0, y0, x1, y1 = 0.1, 0.2, 0.6, 0.5
    out = cut_masks(mask, torch.tensor([[x0, y0, x1, y1]]), (5, 3))[0]
    bw, bh = (x1 - x0) * 56 / 3, (y1 - y0) * 56 / 5
    for r in range(5):
        for c in range(3):
            assert abs(out[0, r, c] - (x0 * 56 + (c + 0.5) * bw)) < 1e-4
            assert abs(out[1, r, c] - 2 * (y0 * 56 + (r + 0.5) * bh)) < 1e-4
    # flipped crop: the same box with x_ul > x_lr, columns mirrored
    flip = cut_masks(mask, torch.tensor([[x1, y0, x0, y1]]), (5, 3))[0]
    torch.testing.assert_close(flip, out.flip(-1))


def test_box_edges_from_pixel_centres():
    # crop of columns 10..29 and rows 5..24 of a 100 x 50 (W x H) image
    box = torch.tensor([[10 / 99, 5 / 49, 29 / 99, 24 / 49]])
    edges, flipped = box_edges(box, torch.tensor([[50, 100]]))
    torch.testing.assert_close(
        edges, torch.tensor([[0.10, 0.10, 0.30, 0.50]]))
    assert not flipped.any()
    edges_f, flipped_f = box_edges(box[:, [2, 1, 0, 3]],
                                   torch.tensor([[50, 100]]))
    torch.testing.assert_close(edges_f, edges)
    assert flipped_f.all()


def test_masked_average_pool_by_hand():
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 3, 2, 2, generator=g)
    masks = torch.tensor([[[[1., 1.], [0., 0.]], [[0., 0.], [0., 0.]],
                           [[0.25, 0.], [0., 0.25]]],
                          [[[1., 0.], [1., 1.]], [[0., 1.], [0., 0.]],
                           [[0.5, 0.5], [0.5, 0.5]]]])
    out = masked_average_pool(masks, feats)
    for n in range(2):
        for k in range(3):
            num = sum(masks[n, k, i, j] * feats[n, :, i, j]
                      for i in range(2) for j in range(2))
            area = float(masks[n, k].sum())
            torch.testing.assert_close(out[n, k], num / max(area, 1.0))


def test_one_hot_masks_resize_keeps_partition():
    labels = torch.zeros(1, 32, 32, dtype=torch.long)
    labels[:, :, 16:] = 1
    masks = one_hot_masks(labels, 3, (56, 56))
    torch.testing.assert_close(masks.sum(1), torch.ones(1, 56, 56))
    assert masks.argmax(1)[0, :, :28].eq(0).all()
    assert masks.argmax(1)[0, :, 28:].eq(1).all()


def test_kmeans_on_separable_points():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[10., 0.], [0., 10.], [-10., -10.]])
    truth = torch.arange(3).repeat_interleave(20)
    points = centres[truth] + 0.5 * torch.randn(60, 2, generator=g)
    labels, found = kmeans(points, 3, generator=torch.Generator()
                           .manual_seed(1))
    # one cluster per blob (same partition up to a permutation)
    for c in range(3):
        assert labels[truth == c].unique().numel() == 1
    assert labels.unique().numel() == 3
    for c in range(3):
        mean = points[labels == labels[truth == c][0]].mean(0)
        torch.testing.assert_close(found[labels[truth == c][0]], mean)


def test_one_hot_masks_equal_interpolated_one_hot():
    # the reference: F.interpolate of the full one-hot maps (the authors')
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 7, (2, 37, 50), generator=g)
    for size in ((14, 14), (56, 56), (8, 25), (60, 80)):
        ref = torch.nn.functional.interpolate(
            torch.nn.functional.one_hot(labels, 9).permute(0, 3, 1, 2)
            .float(), size=size, mode='bilinear', align_corners=False)
        torch.testing.assert_close(one_hot_masks(labels, 9, size), ref)
