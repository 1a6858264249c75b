# Copyright (c) mmpixpro contributors. All rights reserved.
"""RegionCLNeck: canvas and paste regions pooled separately."""
import torch
from mmpretrain.models.necks import MoCoV2Neck

from mmpixpro.models.necks import RegionCLNeck
from mmpixpro.models.utils.region_swap import SwapBox


def test_canvas_and_paste_are_masked_means_through_the_mlp():
    """A known (3, 8, 4, 5) map and box rows 1-2, columns 2-3: the paste
    region is the mean of its 4 bins, the canvas that of the other 16, each
    through the same MLP (sums over bins by explicit loops)."""
    torch.manual_seed(0)
    neck = RegionCLNeck(8, 16, 4)
    feat = torch.randn(3, 8, 4, 5)
    box = SwapBox(top=1, left=2, height=2, width=2)
    canvas, paste = neck((feat, ), box)
    for j in range(3):
        inside, outside = torch.zeros(8), torch.zeros(8)
        n_in = n_out = 0
        for y in range(4):
            for x in range(5):
                if 1 <= y < 3 and 2 <= x < 4:
                    inside += feat[j, :, y, x]
                    n_in += 1
                else:
                    outside += feat[j, :, y, x]
                    n_out += 1
        assert (n_in, n_out) == (4, 16)
        torch.testing.assert_close(paste[j], neck.mlp(inside / n_in))
        torch.testing.assert_close(canvas[j], neck.mlp(outside / n_out))


def test_without_a_box_it_is_mocov2_neck():
    torch.manual_seed(0)
    ours = RegionCLNeck(8, 16, 4)
    theirs = MoCoV2Neck(8, 16, 4)
    theirs.load_state_dict(ours.state_dict())
    feat = torch.randn(2, 8, 3, 3)
    torch.testing.assert_close(ours((feat, ))[0], theirs((feat, ))[0])
