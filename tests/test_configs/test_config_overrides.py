# Copyright (c) mmpixpro contributors. All rights reserved.
"""A config that overrides one value builds exactly that difference."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from pixpro_testing import build, two_views

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def flat(d, prefix=''):
    out = {}
    for k, v in d.items():
        key = f'{prefix}{k}'
        if isinstance(v, dict):
            out.update(flat(v, key + '.'))
        else:
            out[key] = v
    return out


def child_config(tmp_path, base: str, body: str) -> Config:
    path = tmp_path / 'child.py'
    path.write_text(f"_base_ = ['{osp.join(ROOT, 'configs', base)}']\n" +
                    body)
    return Config.fromfile(str(path))


@pytest.mark.parametrize('base,body,key,old,new', [
    ('pixpro/pixpro-ins_r18_demo.py',
     'model = dict(instance_head=dict(loss_weight=0.5))\n',
     'model.instance_head.loss_weight', 1.0, 0.5),
    ('pixpro/pixpro_r18_demo.py', 'model = dict(head=dict(gamma=4.0))\n',
     'model.head.gamma', 2.0, 4.0),
])
def test_override_builds_only_that_difference(tmp_path, base, body, key,
                                              old, new):
    parent = Config.fromfile(osp.join(ROOT, 'configs', base))
    child = child_config(tmp_path, base, body)
    a, b = flat(parent.to_dict()), flat(child.to_dict())
    diff = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert diff == {key}
    assert (a[key], b[key]) == (old, new)
    torch.manual_seed(0)
    m_parent = build(parent.model).train()
    m_child = build(child.model).train()
    m_child.load_state_dict(m_parent.state_dict())  # same parameters
    inputs, samples = two_views(size=64)
    for m in (m_parent, m_child):
        m.momentum = 1.0
    lp = m_parent.loss(inputs, samples)
    lc = m_child.loss(inputs, samples)
    if key.endswith('loss_weight'):
        assert lc['loss_instance'].item() == pytest.approx(
            0.5 * lp['loss_instance'].item(), rel=1e-5)
        assert lc['loss_pixel'].item() == pytest.approx(
            lp['loss_pixel'].item(), rel=1e-5)
    else:
        assert m_child.head.gamma == 4.0
        # gamma changes the propagation weights s_ij = max(cos, 0)^gamma
        x = torch.randn(1, 256, 3, 3)
        s2, s4 = m_parent.head.similarity(x), m_child.head.similarity(x)
        assert torch.allclose(s4, s2**2, atol=1e-6)
