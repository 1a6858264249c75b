# Copyright (c) mmpixpro contributors. All rights reserved.
"""RegionCL's region swapping (`RegionCL <https://arxiv.org/abs/2111.12309>`_,
Sec. 3.1, the authors' ``RegionCLM.RegionSwapping``).

One box per batch, on a grid of ``cell`` px (the backbone's output stride,
32 for a ResNet), is cut from image ``B - 1 - i`` and pasted at the same
place into image ``i``: the batch is reversed inside the box. In the swapped
image ``i`` the box (the *paste* region) shows image ``B - 1 - i`` and the
rest (the *canvas*) shows image ``i``. With an odd ``B`` the middle image
keeps its own box.

The box is drawn as the authors draw it, from torch's global RNG or a
given ``torch.Generator`` (the algorithm seeds one per iteration, so that a
resumed run draws the same boxes): width ``w`` and
height ``h`` of ``lower..upper`` cells (3-5 in RegionCL-M), then a start
``u ~ U{0, ..., W - 1}`` rounded to the nearest multiple of ``cell`` (half to
even, as ``torch.round``) and clamped so that the box ends before the last
pixel, ``u <= W - 1 - w``. Deviation: the authors clamp the start pixel to
``W - 1 - w`` itself, which is off the grid (e.g. 63 px for a 160 px box in
224 px), while their neck pools the cells ``floor(start / cell)`` on: image
box and pooled cells then disagree by up to ``cell - 1`` px. Here the start
is that same cell, ``min(round(u / cell), floor((W - 1 - w) / cell))``, and
the pixels swapped are exactly the cells pooled.
"""
from typing import NamedTuple, Optional, Tuple

import torch
from torch import Tensor


class SwapBox(NamedTuple):
    """A box in pixels: ``top``, ``left``, ``height``, ``width``."""

    top: int
    left: int
    height: int
    width: int

    def in_cells(self, cell: int) -> 'SwapBox':
        """The same box in cells of ``cell`` px (its feature-map bins)."""
        return SwapBox(*(v // cell for v in self))


def _start(size: int, extent: int, cell: int,
           generator: Optional[torch.Generator]) -> int:
    """Start pixel of a box of ``extent`` px on an axis of ``size`` px."""
    u = torch.randint(0, size, (1, ), generator=generator).float()
    nearest = int(torch.round(u / cell))  # half to even, as the authors
    return cell * min(nearest, (size - 1 - extent) // cell)


def draw_swap_box(height: int,
                  width: int,
                  cells: Tuple[int, int] = (3, 5),
                  cell: int = 32,
                  generator: Optional[torch.Generator] = None) -> SwapBox:
    """Draw the swap box of one batch.

    Draw order as the authors': width, height, start x, start y.

    Args:
        height (int): ``H`` of the images, px.
        width (int): ``W`` of the images, px.
        cells (tuple[int, int]): fewest and most cells on a side (both
            included). Defaults to (3, 5), RegionCL-M's.
        cell (int): cell size, px. Defaults to 32.
        generator (torch.Generator, optional): the random stream; None:
            torch's global RNG. Defaults to None.

    Returns:
        SwapBox: ``(top, left, h, w)`` in px, all multiples of ``cell``,
        with ``top + h <= H - 1`` and ``left + w <= W - 1``.
    """
    lower, upper = cells
    if not 1 <= lower <= upper or cell * upper > min(height, width) - 1:
        raise ValueError(
            f'swap boxes of {lower}-{upper} cells of {cell} px do not fit '
            f'{height} x {width} images (at most {cell} * cells <= '
            'side - 1)')
    w = cell * int(torch.randint(lower, upper + 1, (1, ), generator=generator))
    h = cell * int(torch.randint(lower, upper + 1, (1, ), generator=generator))
    left = _start(width, w, cell, generator)
    top = _start(height, h, cell, generator)
    return SwapBox(top, left, h, w)


def swap_regions(img: Tensor, box: SwapBox) -> Tensor:
    """Paste the box of image ``B - 1 - i`` into image ``i``.

    Args:
        img (Tensor): images, (B, C, H, W).
        box (SwapBox): the box, px.

    Returns:
        Tensor: the swapped images, (B, C, H, W); ``img`` is unchanged.
    """
    t, l, h, w = box
    out = img.clone()
    out[:, :, t:t + h, l:l + w] = img.flip(0)[:, :, t:t + h, l:l + w]
    return out
