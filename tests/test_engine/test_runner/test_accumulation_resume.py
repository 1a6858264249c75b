# Copyright (c) mmpixpro contributors. All rights reserved.
"""With gradient accumulation, a resume from a checkpoint saved at the end
of an optimiser step ends in the state of the uninterrupted run."""
import os.path as osp

import pytest
import torch
from pixpro_testing import demo_cfg, make_images

from mmpixpro.registry import RUNNERS

pytestmark = pytest.mark.slow  # trains through the Runner

ITERS = 5  # k = 2: steps after iterations 2, 4 and 5 (the remainder)
STOP = 4


def run(root, work_dir, resume_from=None):
    cfg = demo_cfg(root, work_dir, batch_size=2)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=ITERS)
    cfg.optim_wrapper.accumulative_counts = 2
    cfg.auto_scale_lr.enable = False
    cfg.optim_wrapper.optimizer.lr = 0.125
    cfg.param_scheduler = []
    for view in cfg.train_dataloader.dataset.pipeline[1].view_pipelines:
        view[0].size = 64  # RandomResizedCropWithBox
    cfg.default_hooks.checkpoint = dict(
        type='SafeCheckpointHook', interval=2, by_epoch=False,
        max_keep_ckpts=5)
    if resume_from:
        cfg.resume, cfg.load_from = True, resume_from
    RUNNERS.build(cfg).train()
    return torch.load(osp.join(work_dir, f'iter_{ITERS}.pth'),
                      map_location='cpu', weights_only=True)


def flat(tree, prefix=''):
    """Every tensor of a nested checkpoint part, by path."""
    if isinstance(tree, torch.Tensor):
        return {prefix: tree}
    items = (tree.items() if isinstance(tree, dict) else
             enumerate(tree) if isinstance(tree, (list, tuple)) else [])
    out = {}
    for key, value in items:
        out.update(flat(value, f'{prefix}.{key}'))
    return out


def test_resume_at_a_step_boundary_is_exact(tmp_path):
    root = make_images(tmp_path / 'images' / 'a', 6).parent
    full = run(root, str(tmp_path / 'full'))
    part = run(root, str(tmp_path / 'part'),
               resume_from=str(tmp_path / 'full' / f'iter_{STOP}.pth'))
    for key in ('state_dict', 'optimizer'):
        a, b = flat(full[key]), flat(part[key])
        assert a.keys() == b.keys() and a
        for name in a:
            assert torch.allclose(a[name].double(), b[name].double(),
                                  rtol=0, atol=1e-6), (key, name)
    state = full['state_dict']
    assert not torch.allclose(state['backbone.conv1.weight'],
                              state['target_net.module.0.conv1.weight'])
