# Copyright (c) mmpixpro contributors. All rights reserved.
"""Views of several sizes: one normalised tensor per size group; the
per-view layout equals mmpretrain's SelfSupDataPreprocessor."""
import torch
from mmpretrain.models import SelfSupDataPreprocessor

from mmpixpro.models import MultiViewDataPreprocessor, size_groups
from mmpixpro.registry import MODELS

NORM = dict(mean=(1.0, 2.0, 3.0), std=(2.0, 4.0, 8.0))


def constant_views(n, sizes):
    """Per-view uint8 batches (n, 3, s, s); view v is filled with v + 10."""
    return [
        torch.full((n, 3, s, s), v + 10, dtype=torch.uint8)
        for v, s in enumerate(sizes)
    ]


def test_size_groups_split_where_the_size_changes():
    views = constant_views(2, [32, 32, 16, 16, 16, 32])
    groups = size_groups(views)
    assert [len(g) for g in groups] == [2, 3, 1]
    assert groups[1][0] is views[2]


def test_groups_are_stacked_and_normalised_by_hand():
    pre = MODELS.build(dict(type='MultiViewDataPreprocessor', **NORM))
    out = pre(dict(inputs=constant_views(2, [32, 32, 16, 16, 16]),
                   data_samples=None))
    global_, local = out['inputs']
    assert global_.shape == (2, 2, 3, 32, 32)
    assert local.shape == (3, 2, 3, 16, 16)
    assert global_.dtype == torch.float32
    # view 1 holds 11: ((11 - 1) / 2, (11 - 2) / 4, (11 - 3) / 8)
    assert torch.equal(global_[1, :, :, 0, 0],
                       torch.tensor([[5.0, 2.25, 1.0]] * 2))
    # view 4 (the third local view) holds 14
    assert torch.equal(local[2, 0, :, 5, 5], torch.tensor([6.5, 3.0, 1.375]))


def test_bgr_conversion_applies_to_the_groups():
    pre = MultiViewDataPreprocessor(to_rgb=True)
    view = torch.zeros((1, 3, 4, 4), dtype=torch.uint8)
    view[:, 0] = 7  # channel 0 becomes channel 2
    out = pre(dict(inputs=[view, view.clone()], data_samples=None))
    assert out['inputs'][0][:, 0, :, 0, 0].tolist() == [[0.0, 0.0, 7.0]] * 2


def test_per_view_layout_equals_selfsup_preprocessor():
    views = [torch.randint(0, 256, (2, 3, 16, 16), dtype=torch.uint8)
             for _ in range(2)]
    data = dict(inputs=views, data_samples=None)
    ours = MultiViewDataPreprocessor(stack_groups=False, **NORM)(dict(data))
    ref = SelfSupDataPreprocessor(**NORM)(dict(data))
    assert len(ours['inputs']) == 2
    for x, y in zip(ours['inputs'], ref['inputs']):
        assert x.shape == (2, 3, 16, 16)
        assert torch.equal(x, y)


def test_one_batched_tensor_is_left_to_the_parent():
    pre = MultiViewDataPreprocessor(**NORM)
    img = torch.full((2, 3, 8, 8), 5, dtype=torch.uint8)
    out = pre(dict(inputs=img, data_samples=None))
    assert out['inputs'].shape == (2, 3, 8, 8)
    assert out['inputs'][0, :, 0, 0].tolist() == [2.0, 0.75, 0.25]
