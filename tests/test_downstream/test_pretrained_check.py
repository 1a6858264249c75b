# Copyright (c) mmpixpro contributors. All rights reserved.
"""check_pretrained_loaded on small mmengine modules (no mmdet needed)."""
import torch
from mmengine.model import BaseModule
from torch import nn

from mmpixpro.downstream.pretrained_check import check_pretrained_loaded


class Net(BaseModule):

    def __init__(self, init_cfg=None):
        super().__init__(init_cfg)
        self.conv = nn.Conv2d(3, 4, 1)
        self.bn = nn.BatchNorm2d(4)


class Model(BaseModule):

    def __init__(self, path, prefix='backbone.', extra=False):
        super().__init__()
        self.backbone = Net(dict(type='Pretrained', checkpoint=path,
                                 prefix=prefix))
        self.head = nn.Linear(4, 2)
        if extra:
            self.backbone.add_module('norm', nn.BatchNorm2d(4))


def export(tmp_path, drop=()):
    weights = {f'backbone.{k}': v.normal_() if v.is_floating_point() else v
               for k, v in Net().state_dict().items() if k not in drop}
    path = tmp_path / 'export.pth'
    torch.save({'state_dict': weights}, path)
    return str(path), weights


def test_complete_when_every_tensor_lands(tmp_path):
    path, weights = export(tmp_path)
    model = Model(path, extra=True)
    model.init_weights()
    report = check_pretrained_loaded(model)
    assert report.complete
    assert report.loaded == {'backbone': len(weights)} == {'backbone': 7}
    assert sorted(report.not_in_file['backbone'])[0] == 'norm.bias'
    assert 'backbone: 7 tensors equal' in report.summary()


def test_wrong_prefix_leaves_everything_unused(tmp_path):
    path, _ = export(tmp_path)
    model = Model(path, prefix='backbone.conv.')  # mmengine only warns
    model.init_weights()
    report = check_pretrained_loaded(model)
    assert not report.complete and report.loaded == {'backbone': 0}
    assert sorted(report.unused) == [f'{path}:backbone.conv.bias',
                                     f'{path}:backbone.conv.weight']


def test_value_not_loaded_is_reported(tmp_path):
    path, _ = export(tmp_path)
    model = Model(path)
    model.init_weights()
    with torch.no_grad():
        model.backbone.conv.weight.add_(1)  # as if the init had skipped it
    report = check_pretrained_loaded(model)
    assert report.differing == ['backbone.conv.weight']
    assert report.unused == [f'{path}:backbone.conv.weight']
    assert not report.complete and 'NOT loaded' in report.summary()


def test_no_pretrained_init_is_not_complete():
    report = check_pretrained_loaded(nn.Linear(2, 2))
    assert not report.files and not report.complete


class PosEmbedNet(BaseModule):
    """A ViT-like module that re-samples a ``pos_embed`` of another grid
    when it loads (as mmseg's ``VisionTransformer.init_weights``), with
    ``load_mode`` (its ``interpolate_mode`` unless a test breaks it)."""

    interpolate_mode = 'bilinear'

    def __init__(self, path, grid, load_mode='bilinear'):
        super().__init__(dict(type='Pretrained', checkpoint=path))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + grid * grid, 4))
        self.grid, self.load_mode = grid, load_mode

    @staticmethod
    def resize_pos_embed(pos_embed, dst, src, mode):
        cls_token, grid = pos_embed[:, :1], pos_embed[:, 1:]
        grid = grid.reshape(1, *src, -1).permute(0, 3, 1, 2)
        grid = nn.functional.interpolate(grid, size=dst, mode=mode)
        return torch.cat([cls_token, grid.flatten(2).transpose(1, 2)], 1)

    def init_weights(self):
        value = torch.load(self.init_cfg['checkpoint'])['pos_embed']
        src = int((value.shape[1] - 1)**0.5)
        with torch.no_grad():
            self.pos_embed.copy_(self.resize_pos_embed(
                value, (self.grid, self.grid), (src, src), self.load_mode))


def test_pos_embed_resampled_at_load_counts_as_loaded(tmp_path):
    path = tmp_path / 'vit.pth'
    torch.save({'pos_embed': torch.randn(1, 1 + 2 * 2, 4)}, path)
    model = nn.Sequential()
    model.add_module('backbone', PosEmbedNet(str(path), grid=3))
    model.backbone.init_weights()
    report = check_pretrained_loaded(model)
    assert report.complete and report.resampled == ['backbone.pos_embed']
    assert 'backbone: 1 tensors equal' in report.summary()
    # loaded with another resampling than the module's own: not equal
    model.backbone.load_mode = 'nearest'
    model.backbone.init_weights()
    report = check_pretrained_loaded(model)
    assert report.differing == ['backbone.pos_embed'] and not report.complete
