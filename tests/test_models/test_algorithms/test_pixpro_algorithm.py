# Copyright (c) mmpixpro contributors. All rights reserved.
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample
from pixpro_testing import ROOT, build, tiny_pixpro_cfg, two_views

from mmpixpro.registry import MODELS

CONFIGS = osp.join(ROOT, 'configs')


def small_pixpro(**kwargs):
    return build(tiny_pixpro_cfg(**kwargs))


def test_target_is_a_copy_after_init_and_gets_no_gradient():
    torch.manual_seed(0)
    model = small_pixpro()
    online = model.online_parameters()
    target = list(model.target_net.parameters())
    assert len(online) == len(target)
    assert all(torch.equal(o, t) for o, t in zip(online, target))
    assert not any(t.requires_grad for t in target)
    inputs, samples = two_views()
    loss = model.loss(inputs, samples)['loss']
    loss.backward()
    assert all(t.grad is None for t in target)
    assert model.backbone.conv1.weight.grad is not None
    assert model.head.value_transform[0].weight.grad is not None


def test_loss_is_finite_and_momentum_is_applied_first():
    torch.manual_seed(0)
    model = small_pixpro()
    inputs, samples = two_views()
    with torch.no_grad():  # make online != target
        for p in model.online_parameters():
            p.add_(0.01 * torch.randn_like(p))
    t0 = [t.clone() for t in model.target_net.parameters()]
    model.momentum = 0.9
    loss = model.loss(inputs, samples)['loss']
    # at init the value transform g is random, so the sign is not fixed:
    # the loss turns negative once trained (see tests/test_engine/test_runner)
    assert torch.isfinite(loss) and -4.0 <= loss.item() <= 4.0
    for t, before, o in zip(model.target_net.parameters(), t0,
                            model.online_parameters()):
        assert torch.allclose(t, 0.9 * before + 0.1 * o, atol=1e-6)


def test_loss_equals_sum_of_both_directions():
    torch.manual_seed(0)
    model = small_pixpro().train()
    inputs, samples = two_views()
    model.momentum = 1.0  # keep the target fixed for the check
    torch.manual_seed(1)
    loss = model.loss(inputs, samples)['loss']
    boxes = model.gather_boxes(samples, torch.device('cpu'))
    x = [model.project(v)[0] for v in inputs]
    with torch.no_grad():
        t = [model.target_net(v)[0] for v in inputs]
    expected = (model.head.loss(x[0], t[1], boxes[:, 0], boxes[:, 1]) +
                model.head.loss(x[1], t[0], boxes[:, 1], boxes[:, 0]))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_missing_boxes_are_a_clear_error():
    model = small_pixpro()
    inputs, _ = two_views()
    with pytest.raises(KeyError, match='crop_boxes'):
        model.loss(inputs, [DataSample(), DataSample()])
    with pytest.raises(ValueError, match='2 views'):
        model.loss(inputs[:1], [DataSample()])


def test_resnet50_architecture_shapes():
    cfg = Config.fromfile(osp.join(CONFIGS, 'pixpro/pixpro_r50_8xb128.py'))
    model_cfg = cfg.model
    model_cfg.backbone.norm_cfg = dict(type='BN')  # SyncBN needs a group
    model_cfg.neck.norm_cfg = dict(type='BN')
    model = MODELS.build(model_cfg)
    model.init_weights()
    # the paper's ResNet-50: stride in the 3x3 conv, zero-init last BN
    block = model.backbone.layer2[0]
    assert block.conv2.stride == (2, 2) and block.conv1.stride == (1, 1)
    assert torch.count_nonzero(block.norm3.weight) == 0
    assert model.backbone.frozen_stages == -1
    model.eval()
    with torch.no_grad():
        c5 = model.backbone(torch.randn(1, 3, 224, 224))[-1]
        x = model.neck((c5, ))[0]
        y = model.head(x)
    assert c5.shape == (1, 2048, 7, 7)
    assert x.shape == (1, 256, 7, 7) and y.shape == (1, 256, 7, 7)
    neck = model.neck.mlp
    assert (neck[0].in_channels, neck[0].out_channels) == (2048, 4096)
    assert neck[0].bias is not None and neck[3].bias is not None
    assert (neck[3].in_channels, neck[3].out_channels) == (4096, 256)
    assert model.head.gamma == 2.0 and model.head.clamp_value == 0.0
    assert model.head.loss_module.pos_threshold == 0.7
    assert model.base_momentum == 0.99


DEVICES = [
    'cpu',
    pytest.param(
        'cuda',
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason='needs a CUDA device')),
]


@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('option', [
    dict(channels_last=False),
    dict(batch_target_views=True),
])
def test_speed_options_give_the_default_loss(option, device):
    """channels_last (on by default) only changes the memory layout, so the
    contiguous path gives the same loss. Batching the two target views
    changes only the target's BN batch statistics: with the target's BN in
    eval mode both paths give the same loss, in train mode they differ
    (the documented effect of the option)."""
    torch.manual_seed(0)
    default = small_pixpro().to(device)
    fast = small_pixpro(**option).to(device)
    fast.load_state_dict(default.state_dict())
    inputs, samples = two_views()
    inputs = [x.to(device) for x in inputs]
    batched = option.get('batch_target_views', False)
    if batched:
        for m in (default, fast):
            m.target_net.eval()
    loss_default = default.loss(inputs, samples)['loss']
    loss_fast = fast.loss(inputs, samples)['loss']
    assert loss_fast.item() == pytest.approx(loss_default.item(), abs=1e-5)
    if batched:  # per-view vs joint BN statistics in train mode
        for m in (default, fast):
            m.target_net.train()
            m.momentum = 1.0
        assert fast.loss(inputs, samples)['loss'].item() != pytest.approx(
            default.loss(inputs, samples)['loss'].item(), abs=1e-6)


@pytest.mark.parametrize('device', DEVICES)
def test_bf16_autocast_gives_the_fp32_loss_within_bf16_tolerance(device):
    """The paper configs train under bf16 autocast (AmpOptimWrapper): the
    loss, its positive mask and the PPM stay within bf16 rounding of the
    fp32 path (measured differences 0.001-0.003 on losses of 0.1-0.6), and
    the gradients point the same way."""
    torch.manual_seed(1)
    model = small_pixpro().to(device)
    inputs, samples = two_views()
    inputs = [x.to(device) for x in inputs]
    results = []
    for enabled in (False, True):
        model.zero_grad(set_to_none=True)
        with torch.autocast(device, dtype=torch.bfloat16, enabled=enabled):
            loss = model.loss(inputs, samples)['loss']
        loss.backward()
        grad = torch.cat([
            p.grad.flatten() for p in model.online_parameters()
            if p.grad is not None
        ])
        results.append((loss.float().item(), grad.float()))
    (loss32, grad32), (loss16, grad16) = results
    assert loss16 == pytest.approx(loss32, abs=0.02)
    assert loss16 != loss32  # autocast was really on
    cosine = torch.nn.functional.cosine_similarity(grad32, grad16, dim=0)
    assert cosine > 0.95
