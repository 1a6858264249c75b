# Copyright (c) mmpixpro contributors. All rights reserved.
"""RegionCL's region swap: which pixels of which image end where, and the
box drawn as the authors draw it (3-5 cells of 32 px, on the grid)."""
import pytest
import torch

from mmpixpro.models.utils.region_swap import (SwapBox, draw_swap_box,
                                               swap_regions)


def test_swap_pastes_the_box_of_image_b_minus_1_minus_i():
    """B = 5 (odd): inside the box, pixel (y, x) of swapped image i is
    pixel (y, x) of image 4 - i; elsewhere it is image i's; image 2 keeps
    its own box; the input is left unchanged."""
    B, C, H, W = 5, 2, 160, 192
    img = torch.randn(B, C, H, W)
    before = img.clone()
    box = SwapBox(top=32, left=64, height=96, width=32)
    out = swap_regions(img, box)
    for i in range(B):
        for y in range(0, H, 7):
            for x in range(0, W, 5):
                inside = 32 <= y < 128 and 64 <= x < 96
                src = B - 1 - i if inside else i
                assert torch.equal(out[i, :, y, x], img[src, :, y, x])
    # the box borders, every pixel
    for i in range(B):
        assert torch.equal(out[i, :, 32:128, 64:96],
                           img[B - 1 - i, :, 32:128, 64:96])
        assert torch.equal(out[i, :, 31], img[i, :, 31])
        assert torch.equal(out[i, :, 128], img[i, :, 128])
        assert torch.equal(out[i, :, :, 63], img[i, :, :, 63])
        assert torch.equal(out[i, :, :, 96], img[i, :, :, 96])
    assert torch.equal(out[2], img[2])
    assert torch.equal(img, before)


def _authors_cell(size: int, extent: int, u: int) -> int:
    """The authors' start: round(u / 32) * 32 (half to even), clamped to
    size - 1 - extent px; their neck pools from bin floor(start / 32)."""
    start = min(round(u / 32) * 32, size - 1 - extent)
    return start // 32


@pytest.mark.parametrize('size', [224, 128])
def test_box_is_the_authors_draw_on_the_grid(size):
    """Same RNG stream as the authors' randint calls (width, height, start
    x, start y), computed with Python's round; 3-5 cells at 224 px (2-3 at
    128 px), every side on the 32 px grid, inside the image."""
    cells = (3, 5) if size == 224 else (2, 3)
    seen, clamped = set(), 0
    for seed in range(300):
        torch.manual_seed(seed)
        w = 32 * int(torch.randint(cells[0], cells[1] + 1, (1, )))
        h = 32 * int(torch.randint(cells[0], cells[1] + 1, (1, )))
        u = int(torch.randint(0, size, (1, )))
        v = int(torch.randint(0, size, (1, )))
        torch.manual_seed(seed)
        box = draw_swap_box(size, size, cells)
        assert box == SwapBox(32 * _authors_cell(size, h, v),
                              32 * _authors_cell(size, w, u), h, w)
        assert all(value % 32 == 0 for value in box)
        assert box.top + box.height <= size - 1
        assert box.left + box.width <= size - 1
        seen.update({box.height // 32, box.width // 32})
        clamped += round(u / 32) * 32 > size - 1 - w
    assert seen == set(range(cells[0], cells[1] + 1))
    assert clamped > 0  # the clamp was exercised


def test_box_reproducible_and_in_cells():
    torch.manual_seed(3)
    a = draw_swap_box(224, 224)
    torch.manual_seed(3)
    assert draw_swap_box(224, 224) == a
    assert a.in_cells(32) == SwapBox(*(v // 32 for v in a))


def test_box_that_cannot_fit_is_refused():
    with pytest.raises(ValueError, match='do not fit'):
        draw_swap_box(128, 128, (3, 4))  # 4 cells of 32 px > 127 px
