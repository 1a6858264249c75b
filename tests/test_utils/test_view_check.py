# Copyright (c) mmpixpro contributors. All rights reserved.
"""The config check refuses views a method cannot use, naming the key,
before anything is built or read."""
import os.path as osp

import pytest
from mmengine.config import Config
from pixpro_testing import ROOT

from mmpixpro.models import PixPro
from mmpixpro.utils import ConfigError, check_config
from mmpixpro.utils.config_check import (describe_views, supported_views_of,
                                         views_problem)

PIXPRO = osp.join(ROOT, 'configs', 'pixpro', 'pixpro_r50_8xb128.py')
MULTICROP = osp.join(ROOT, 'configs', '_base_', 'datasets',
                     'imagenet_multicrop.py')
MULTI = [(224, 224)] * 2 + [(96, 96)] * 6


def test_describe_views():
    assert describe_views(MULTI) == '2 x 224x224 + 6 x 96x96'
    assert describe_views([(32, 32), None, (32, 32)]) == (
        '1 x 32x32 + 1 x ? + 1 x 32x32')
    # square sizes by their side (the demo comparison's views column)
    assert describe_views(MULTI, square_as_side=True) == '2 x 224 + 6 x 96'
    assert describe_views([(96, 64), None], square_as_side=True) == (
        '1 x 96x64 + 1 x ?')


@pytest.mark.parametrize(
    'spec,sizes,problem',
    [
        (dict(num_views=2), MULTI, '8 views where it takes 2'),
        (dict(num_views=(2, 4)), MULTI[:3], '3 views where it takes 2 or 4'),
        (dict(num_views=(2, 8)), MULTI, None),
        (dict(min_views=2), MULTI[:1], '1 views where it takes at least 2'),
        (dict(min_views=2), MULTI, None),
        (dict(same_size=True), MULTI,
         'views of different sizes where it takes views of one size'),
        (dict(num_views=2, same_size=True), [(224, 224), None], None),
        (dict(), MULTI, None),
    ])
def test_views_problem_by_hand(spec, sizes, problem):
    assert views_problem(spec, sizes) == problem


def test_views_declared_by_attribute_or_from_the_model_config():
    # PixPro's views depend on its option: read from the model config
    assert supported_views_of(PixPro, dict(type='PixPro')) == dict(
        num_views=2,
        hint='model.multi_crop=True takes local views (views 2..)')
    assert supported_views_of(PixPro, dict(multi_crop=True)) == dict(
        min_views=2)
    # the class-attribute form still works (and None: nothing declared)
    declared = type('Declared', (), dict(supported_views=dict(num_views=2)))
    assert supported_views_of(declared, dict()) == dict(num_views=2)
    assert supported_views_of(type('Silent', (), {}), dict()) is None


def test_multicrop_pipeline_refused_for_a_two_view_method():
    cfg = Config.fromfile(PIXPRO)
    check_config(cfg)  # its own two views pass
    cfg.train_dataloader.dataset.pipeline = Config.fromfile(
        MULTICROP).train_pipeline
    with pytest.raises(ConfigError) as error:
        check_config(cfg)
    message = str(error.value)
    assert ('train_dataloader.dataset.pipeline[1] (MultiViewTransform) '
            'makes 2 x 224x224 + 6 x 96x96: 8 views where it takes 2'
            ) in message
    assert ("model.type='PixPro', whose supported_views is "
            "{'num_views': 2})") in message
    assert message.endswith(
        '; model.multi_crop=True takes local views (views 2..)')
    # the same pipeline with the option: accepted
    cfg.model.multi_crop = True
    check_config(cfg)
