# Copyright (c) mmpixpro contributors. All rights reserved.
"""PixPro on mmpretrain's ViT: the patch map, the class token for the
instance branch, position embeddings at other sizes, the patch-grid boxes."""
import pytest
import torch
from mmpretrain.models import ResNet, VisionTransformer

from mmpixpro.models import ViTPatchAndClassMaps
from mmpixpro.models.utils import backbone_grid_stride
from pixpro_testing import build, tiny_pixpro_cfg, two_views

# 2 layers of 48 channels: seconds on a CPU
TINY_ARCH = dict(
    embed_dims=48, num_layers=2, num_heads=2, feedforward_channels=96)


def vit(**kwargs):
    return dict(
        type='VisionTransformer', arch=TINY_ARCH, img_size=96, patch_size=16,
        out_type='featmap', **kwargs)


def test_patch_and_class_maps_are_vits_with_the_same_keys():
    torch.manual_seed(0)
    plain = VisionTransformer(arch=TINY_ARCH, img_size=96, out_type='raw')
    both = ViTPatchAndClassMaps(arch=TINY_ARCH, img_size=96)
    # no new parameters, mmpretrain's names: the plain ViT's state loads
    both.load_state_dict(plain.state_dict(), strict=True)
    assert backbone_grid_stride(both) == (16, 16)
    plain.eval(), both.eval()
    for size, grid in ((96, 6), (224, 14), (100, 7)):  # pos. emb. resized
        x = torch.randn(2, 3, size, size)
        tokens = plain(x)[0]  # (2, 1 + grid^2, 48)
        patch_map, cls_map = both(x)
        assert patch_map.shape == (2, 48, grid, grid)
        torch.testing.assert_close(
            patch_map.flatten(2).transpose(1, 2), tokens[:, 1:])
        torch.testing.assert_close(cls_map[:, :, 0, 0], tokens[:, 0])
    with pytest.raises(ValueError, match='featmap'):
        ViTPatchAndClassMaps(arch=TINY_ARCH, out_type='cls_token')


def test_pixpro_gives_the_loss_the_boxes_of_the_padded_grid(monkeypatch):
    # 100 px views, patch 16: 7 x 7 cells over 112 px; the head must get the
    # boxes stretched by 112 / 100 (the ResNet of the same views: as given)
    torch.manual_seed(0)
    model = build(
        tiny_pixpro_cfg(
            backbone=vit(),
            neck=dict(
                type='PixelMLPNeck',
                in_channels=None,
                hid_channels=32,
                out_channels=16),
            head=dict(type='PixelPropagationHead', in_channels=16)))
    assert model.grid_stride == (16, 16)
    seen = []
    loss_fn = model.head.loss

    def spy(pred, target, boxes_pred, boxes_target):
        seen.append((pred.shape[-2:], boxes_pred, boxes_target))
        return loss_fn(pred, target, boxes_pred, boxes_target)

    monkeypatch.setattr(model.head, 'loss', spy)
    inputs, samples = two_views(size=100)
    loss = model.loss(inputs, samples)['loss']
    loss.backward()
    assert torch.isfinite(loss)
    boxes = torch.stack([s.crop_boxes for s in samples])  # (N, 2, 4)
    assert [tuple(s[0]) for s in seen] == [(7, 7), (7, 7)]
    for (_, got_a, got_b), (a, b) in zip(seen, [(0, 1), (1, 0)]):
        for got, view in ((got_a, a), (got_b, b)):
            x_ul, y_ul, x_lr, y_lr = boxes[:, view].unbind(-1)
            want = torch.stack([
                x_ul, y_ul, x_ul + (x_lr - x_ul) * 1.12,
                y_ul + (y_lr - y_ul) * 1.12
            ], -1)
            torch.testing.assert_close(got, want)
            assert not torch.allclose(got, boxes[:, view])
    assert backbone_grid_stride(ResNet(depth=18)) is None


def test_multicrop_pixpro_and_instance_branch_on_the_class_token():
    # global views at 224 (14 x 14) and local views at 96 (6 x 6), one ViT
    torch.manual_seed(0)
    model = build(
        tiny_pixpro_cfg(
            type='PixProInstance',
            multi_crop=True,
            backbone=dict(vit(), type='ViTPatchAndClassMaps'),
            neck=dict(
                type='PixelMLPNeck',
                in_channels=48,
                hid_channels=32,
                out_channels=16,
                in_index=0),  # patch map
            head=dict(type='PixelPropagationHead', in_channels=16),
            instance_neck=dict(
                type='PixelMLPNeck',
                in_channels=48,
                hid_channels=32,
                out_channels=16,
                in_index=1),  # class token
            instance_head=dict(
                type='InstanceBranchHead',
                in_channels=16,
                hid_channels=32,
                out_channels=16)))
    inputs, samples = two_views(size=224)
    inputs += [torch.randn(2, 3, 96, 96) for _ in range(2)]
    for s in samples:
        s.set_field(torch.cat([s.crop_boxes, s.crop_boxes * 0.5]),
                    'crop_boxes')
    seen = []
    hook = model.instance_neck.register_forward_hook(
        lambda mod, args, out: seen.append(out[-1].shape))
    losses = model.loss(inputs, samples)
    hook.remove()
    total = losses['loss_pixel'] + losses['loss_instance']
    assert torch.isfinite(total)
    total.backward()
    assert model.backbone.cls_token.grad.abs().sum() > 0
    assert all(shape[-2:] == (1, 1) for shape in seen)


@pytest.mark.slow
def test_vit_small_p16_at_224_forward_backward():
    # ViT-S/16 (DINO's, mmpretrain arch 'deit-small'): 14 x 14 grid
    torch.manual_seed(0)
    model = build(
        tiny_pixpro_cfg(
            backbone=dict(
                type='VisionTransformer',
                arch='deit-small',
                img_size=224,
                patch_size=16,
                drop_path_rate=0.1,
                out_type='featmap'),
            neck=dict(
                type='PixelMLPNeck',
                in_channels=384,
                hid_channels=64,
                out_channels=32),
            head=dict(type='PixelPropagationHead', in_channels=32)))
    inputs, samples = two_views(n=1, size=224)
    assert model.project(inputs[0])[0].shape == (1, 32, 14, 14)
    loss = model.loss(inputs, samples)['loss']
    loss.backward()
    assert torch.isfinite(loss)
    assert model.backbone.pos_embed.grad.abs().sum() > 0
