# Copyright (c) mmpixpro contributors. All rights reserved.
"""Helpers of the downstream tests (import as ``downstream_helpers``)."""
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONVERTERS = osp.join(REPO, 'tools', 'dataset_converters')
TRAIN_MM = osp.join(REPO, 'tools', 'benchmarks', 'train_mm.py')
HAVE_MM = all(importlib.util.find_spec(m) is not None
              for m in ('mmdet', 'mmseg'))
# module-level ``pytestmark`` of the tests that need mmdet/mmseg
NEEDS_MM = [
    pytest.mark.downstream,
    pytest.mark.skipif(
        not HAVE_MM, reason='mmdet/mmseg are not importable here: run '
        '`make downstream-env && make test-downstream`')
]


def run_tool(script, *args, timeout=900):
    """Run a repository script with this interpreter; returns the result."""
    return subprocess.run([sys.executable, script, *map(str, args)],
                          cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
