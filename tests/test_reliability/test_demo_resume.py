# Copyright (c) mmpixpro contributors. All rights reserved.
"""Every demo config trains through the Runner and resumes exactly.

Each ``configs/*/*_demo.py`` (the ResNet-18 demo of every method and the
ViT, Swin and ConvNeXt demos) is made tiny (:func:`tiny_config`: 2 images,
batch 2, largest views at 64 px, queues of 256) and trained for 2 epochs
of one iteration; a fresh run resumes from its epoch-1 checkpoint in
another work dir. The resumed iteration must log the loss the
uninterrupted run logged and end with the same weights (online networks,
momentum copies, queues, prototypes), optimiser and scheduler state, and
the weights must have moved in that iteration (the comparison is not of
two copies of the checkpoint). These runs are also the demos' training
test (``test_configs_train.py`` trains the other configs). The pipelines
with their own state (SwAV's queue, R2O's clusters, a stop mid-epoch,
several processes, zip shards) are resumed mid-epoch through
``tools/train.py`` in ``test_exact_resume.py``.
"""
import glob
import math
import os.path as osp

import pytest
import torch
from pixpro_testing import (ROOT, assert_tensors_equal, make_images,
                            rows_by_iter, tiny_config)

from mmpixpro.registry import RUNNERS

pytestmark = pytest.mark.slow  # trains through the Runner

DEMOS = sorted(
    osp.relpath(p, osp.join(ROOT, 'configs'))
    for p in glob.glob(osp.join(ROOT, 'configs', '*', '*_demo.py')))


def test_every_demo_is_found():
    # 16 methods on ResNet-18, 33 configs on ViT-Ti, Swin-nano, ConvNeXt-atto
    assert len(DEMOS) >= 49, DEMOS
    assert len([d for d in DEMOS if '_r18_' in d]) >= 16


def run(path: str, data_root, work_dir, resume_from: str = ''):
    """Train ``path`` tiny for 2 epochs of one iteration; the
    uninterrupted run saves ``epoch_1.pth`` only; returns the Runner."""
    cfg = tiny_config(path, data_root, work_dir, max_epochs=2)
    if resume_from:
        cfg.resume, cfg.load_from = True, resume_from
    else:
        # mmengine saves when (epoch index + 1 - save_begin) % interval is
        # 0: after the first epoch only
        cfg.default_hooks.checkpoint.update(
            interval=2, save_begin=1, save_last=False)
    runner = RUNNERS.build(cfg)
    runner.train()
    assert runner.iter == 2
    return runner


@pytest.mark.parametrize('path', DEMOS)
def test_demo_trains_and_resumes_exactly(path, tmp_path):
    root = make_images(tmp_path / 'images' / 'a', 2).parent
    full = run(path, root, tmp_path / 'full')
    stopped = str(tmp_path / 'full' / 'epoch_1.pth')
    assert not osp.exists(tmp_path / 'full' / 'epoch_2.pth')
    resumed = run(path, root, tmp_path / 'part', stopped)
    full_rows = rows_by_iter(tmp_path / 'full')
    part_rows = rows_by_iter(tmp_path / 'part')
    assert sorted(full_rows) == [1, 2] and sorted(part_rows) == [2]
    assert all(math.isfinite(row['loss']) for row in full_rows.values())
    if 'densecl_r18_demo' in path:
        # mmpretrain's DenseCLHook is found and holds lambda at 0 (7 iters)
        assert all(row['loss_dense'] == 0 for row in full_rows.values())
    assert part_rows[2]['loss'] == pytest.approx(full_rows[2]['loss'],
                                                 rel=1e-6, abs=1e-6)
    state = full.model.state_dict()
    assert_tensors_equal(state, resumed.model.state_dict(), 'model')
    assert_tensors_equal(full.optim_wrapper.state_dict(),
                         resumed.optim_wrapper.state_dict(), 'optimizer')
    assert_tensors_equal([s.state_dict() for s in full.param_schedulers],
                         [s.state_dict() for s in resumed.param_schedulers],
                         'param_schedulers')
    # the resumed iteration changed the weights it started from
    at_stop = torch.load(stopped, map_location='cpu', mmap=True,
                         weights_only=False)['state_dict']
    assert any(not torch.equal(value, at_stop[key])
               for key, value in state.items()
               if key.startswith('backbone.') and value.is_floating_point())
