# Copyright (c) mmpixpro contributors. All rights reserved.
"""benchmark.py --data --multicrop: our multi-crop pipeline is timed beside
the two-view ones, with its views counted; no timing asserts."""
import argparse
import os.path as osp

import pytest
from pixpro_testing import ROOT, load_tool

from mmpixpro.benchmarks import time_dataloader
from mmpixpro.utils import register_all_modules

PHOTOS = osp.join(ROOT, 'tests', 'data', 'photos')
MULTICROP = osp.join(ROOT, 'configs', '_base_', 'datasets',
                     'imagenet_multicrop.py')


def test_multicrop_config_is_timed_with_its_eight_views():
    register_all_modules(init_default_scope=True)
    row = time_dataloader(MULTICROP, PHOTOS, 0, batch=2, batches=1,
                          warmup=0)
    assert row['views'] == 8 and row['img_per_s'] > 0


@pytest.mark.parametrize('multicrop,jobs', [
    (None, [('ours', 'two.py'), ('torchvision', 'two.py')]),
    ('multi.py', [('ours', 'two.py'), ('ours', 'multi.py'),
                  ('torchvision', 'two.py')]),
])
def test_multicrop_option_adds_one_job(multicrop, jobs):
    tool = load_tool('tools', 'analysis_tools', 'benchmark.py')
    args = argparse.Namespace(data_config='two.py', multicrop=multicrop,
                              pipelines=['ours', 'torchvision'])
    assert tool.data_jobs(args) == jobs
