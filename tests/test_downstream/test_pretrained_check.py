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
