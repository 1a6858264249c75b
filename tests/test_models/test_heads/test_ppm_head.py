# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmpixpro.models import PixelPropagationHead


def ppm_double_loop(x, gamma, clamp_value, g):
    """The PPM written as the paper's sums, one pixel at a time."""
    n, c, h, w = x.shape
    feats = x.flatten(2)  # (N, C, L)
    values = g(x).flatten(2)
    out = torch.zeros_like(feats)
    for b in range(n):
        for i in range(h * w):
            acc = torch.zeros(c)
            for j in range(h * w):
                cos = F.cosine_similarity(feats[b, :, i], feats[b, :, j], 0)
                s_ij = max(cos.item(), clamp_value)**gamma
                acc += s_ij * values[b, :, j] / values[b, :, j].norm()
            out[b, :, i] = acc / acc.norm()
    return out.view(n, c, h, w)


@pytest.mark.parametrize('num_value_layers', [0, 1, 2])
@pytest.mark.parametrize('gamma,clamp_value', [(2.0, 0.0), (1.0, -0.5)])
def test_ppm_matches_double_loop(num_value_layers, gamma, clamp_value):
    torch.manual_seed(0)
    head = PixelPropagationHead(
        in_channels=6,
        gamma=gamma,
        clamp_value=clamp_value,
        num_value_layers=num_value_layers).eval()
    x = torch.randn(2, 6, 3, 2)
    with torch.no_grad():
        y = head(x)
        expected = ppm_double_loop(x, gamma, clamp_value,
                                   head.value_transform)
    assert torch.allclose(y, expected, atol=1e-5)
    assert torch.allclose(y.norm(dim=1), torch.ones(2, 3, 2), atol=1e-5)


def test_similarity_weights_are_not_normalised():
    head = PixelPropagationHead(in_channels=2, num_value_layers=0)
    # three pixels: (1, 0), (1, 0), (0, 1)
    x = torch.tensor([[[[1.0, 1.0, 0.0]], [[0.0, 0.0, 1.0]]]])
    s = head.similarity(x)[0]
    expected = torch.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0],
                             [0.0, 0.0, 1.0]])
    assert torch.allclose(s, expected)
    # rows sum to 2, not 1: no softmax, no row normalisation


def test_value_transform_layers():
    assert isinstance(
        PixelPropagationHead(num_value_layers=0).value_transform,
        torch.nn.Identity)
    one = PixelPropagationHead(in_channels=8, num_value_layers=1)
    assert [type(m).__name__ for m in one.value_transform] == ['Conv2d']
    assert one.value_transform[0].bias is not None
    two = PixelPropagationHead(in_channels=8, num_value_layers=2)
    assert [type(m).__name__ for m in two.value_transform
            ] == ['Conv2d', 'BatchNorm2d', 'ReLU', 'Conv2d']
    with pytest.raises(ValueError, match='num_value_layers'):
        PixelPropagationHead(num_value_layers=3)
