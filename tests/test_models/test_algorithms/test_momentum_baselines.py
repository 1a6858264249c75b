# Copyright (c) mmpixpro contributors. All rights reserved.
"""BYOL, MoCo v2 and DenseCL on the library's momentum copy: the paper's
convention, and the same training as mmpretrain's own classes."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub

from mmpixpro.models.utils import MomentumEncoder, cosine_momentum
from mmpixpro.registry import MODELS
from pixpro_testing import ROOT, build, two_views

# (demo config, attribute of the copy, upstream type, upstream momentum arg,
#  paper's m, annealed by CosineMomentumHook)
BASELINES = [
    ('byol/byol_r18_demo.py', 'target_net', 'mmpretrain.BYOL',
     'base_momentum', 0.99, True),
    ('mocov2/mocov2_r18_demo.py', 'encoder_k', 'mmpretrain.MoCo', 'momentum',
     0.999, False),
    ('densecl/densecl_r18_demo.py', 'encoder_k', 'mmpretrain.DenseCL',
     'momentum', 0.999, False),
]


def model_cfg(config: str) -> dict:
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config))
    model = cfg.model.to_dict()
    if 'queue_len' in model:
        model['queue_len'] = 64
    return model


@pytest.mark.parametrize('config,attr,_t,_a,m,_c', BASELINES)
def test_one_ema_step_keeps_m_of_the_copy(config, attr, _t, _a, m, _c):
    """copy <- m * copy + (1 - m) * online with the papers' m."""
    model = build(model_cfg(config))
    ema = getattr(model, attr)
    assert isinstance(ema, MomentumEncoder) and ema.momentum == m
    with torch.no_grad():
        model.backbone.conv1.weight.add_(1.0)
    before = ema.module[0].conv1.weight.clone()
    ema.update_parameters(torch.nn.Sequential(model.backbone, model.neck))
    expected = m * before + (1 - m) * model.backbone.conv1.weight
    assert torch.allclose(ema.module[0].conv1.weight, expected, atol=1e-6)


@pytest.mark.parametrize('config,attr,upstream,arg,m,annealed', BASELINES)
def test_trains_like_the_upstream_class(config, attr, upstream, arg, m,
                                        annealed):
    """Three SGD steps of ours and of mmpretrain's class (its EMA with the
    complement ``1 - m``, cosine-annealed from the message hub's
    ``max_iters`` for BYOL) give the same losses and momentum copies."""
    max_iters = 4
    MessageHub.get_current_instance().update_info('max_iters', max_iters)
    ours_cfg = model_cfg(config)
    theirs_cfg = dict(copy.deepcopy(ours_cfg), type=upstream)
    theirs_cfg.pop('base_momentum')
    theirs_cfg[arg] = 1 - m
    torch.manual_seed(0)
    ours = build(ours_cfg).train()
    torch.manual_seed(0)
    theirs = MODELS.build(theirs_cfg).train()
    missing, unexpected = ours.load_state_dict(theirs.state_dict(),
                                               strict=False)
    assert missing == [] and unexpected == [f'{attr}.steps']
    opts = [torch.optim.SGD(x.parameters(), lr=0.5) for x in (ours, theirs)]
    torch.manual_seed(1)
    batches = [two_views(n=4, size=64)[0] for _ in range(3)]
    for k, views in enumerate(batches):
        if annealed:
            getattr(ours, attr).momentum = cosine_momentum(k, max_iters, m)
        losses = []
        for model, opt in zip((ours, theirs), opts):
            torch.manual_seed(2)  # MoCo's batch shuffle
            loss = sum(model.loss([v.clone() for v in views], []).values())
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    ours_copy = dict(getattr(ours, attr).module.named_parameters())
    for name, p in getattr(theirs, attr).module.named_parameters():
        assert torch.allclose(ours_copy[name], p, atol=1e-6), name


@pytest.mark.parametrize('type_,kwargs,error,match', [
    ('MomentumMoCo', dict(momentum=0.001), TypeError, 'base_momentum'),
    ('MomentumBYOL', dict(base_momentum=0.01), ValueError, 'complement'),
])
def test_upstream_convention_is_refused(type_, kwargs, error, match):
    config = 'byol/byol_r18_demo.py' if 'BYOL' in type_ else \
        'mocov2/mocov2_r18_demo.py'
    cfg = {k: v for k, v in model_cfg(config).items() if k != 'base_momentum'}
    with pytest.raises(error, match=match):
        MODELS.build(dict(cfg, type=type_, **kwargs))
