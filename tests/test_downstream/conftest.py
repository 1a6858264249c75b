# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fixtures of the downstream tests: generated sets and R-50 exports.

The tests that need mmdet/mmseg carry ``pytestmark = NEEDS_MM`` (marker
``downstream``, skipped with the reason where mmdet and mmseg are not
importable); ``make downstream-env && make test-downstream`` runs them.
"""
import os.path as osp

import pytest
import torch
from downstream_helpers import CONVERTERS, REPO, run_tool
from mmengine.config import Config

from mmpixpro.export import default_output
from mmpixpro.registry import MODELS


CONVERT = osp.join(REPO, 'tools', 'model_converters', 'convert.py')


@pytest.fixture(scope='session')
def downstream_data(tmp_path_factory):
    """Tiny dense set (pip photographs, 128 px) in every benchmark layout."""
    tmp = tmp_path_factory.mktemp('downstream')
    dense, out = tmp / 'dense', tmp / 'sets'
    for args in ((osp.join(CONVERTERS, 'build_dense_set.py'), '--out', dense,
                  '--no-apt', '--num-train', 8, '--num-test', 4,
                  '--num-sequences', 0, '--size', 128),
                 (osp.join(CONVERTERS, 'build_downstream_sets.py'),
                  '--dense', dense, '--out', out)):
        result = run_tool(*args)
        assert result.returncode == 0, result.stderr
    return str(out)


def training_checkpoint(pretrain_config, path):
    """A Runner-style checkpoint of the model of one of our R-50 configs,
    random weights and BN statistics moved away from their defaults."""
    model = MODELS.build(Config.fromfile(
        osp.join(REPO, 'configs', pretrain_config)).model)
    model.init_weights()
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith('running_mean'):
                buf.normal_()
            elif name.endswith('running_var'):
                buf.uniform_(0.5, 2.0)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, str(path))
    return str(path)


def convert(checkpoint, *args):
    """Run tools/model_converters/convert.py; returns the default output."""
    result = run_tool(CONVERT, checkpoint, *args)
    assert result.returncode == 0, result.stderr
    return default_output(checkpoint, args[1], '--with-fpn' in args,
                          '--with-head' in args)


@pytest.fixture(scope='session')
def r50_exports(tmp_path_factory):
    """convert.py outputs of PixPro R-50 (mmdet, mmseg) and PixPro-FPN R-50
    (mmdet --with-fpn)."""
    tmp = tmp_path_factory.mktemp('exports')
    plain = training_checkpoint('pixpro/pixpro_r50_8xb128.py',
                                tmp / 'pixpro.pth')
    fpn = training_checkpoint('pixpro/pixpro-fpn_r50_8xb128.py',
                              tmp / 'pixpro-fpn.pth')
    # CP2 R-50 (output stride 16, ASPP): mmseg --with-head
    cp2 = training_checkpoint('cp2/cp2_r50-d16_8xb32-coslr-200e_in1k.py',
                              tmp / 'cp2.pth')
    return dict(mmdet=convert(plain, '--to', 'mmdet'),
                mmseg=convert(plain, '--to', 'mmseg'),
                fpn=convert(fpn, '--to', 'mmdet', '--with-fpn'),
                cp2=convert(cp2, '--to', 'mmseg', '--with-head'))
