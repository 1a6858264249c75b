# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmpretrain's Swin Transformer and ConvNeXt in PixPro's FPN-pretraining
path, as the recipes build them (configs/pixpro/pixpro-fpn_swin-tiny_* and
pixpro-fpn_convnext-tiny_*): the stages, the FPN levels and the strides of
the pretext levels are the hand-written ones, at 224 px and at the 96 px of
local crops (Swin: maps smaller than a window are padded); Swin-T and
ConvNeXt-T take one PixPro step at 224 px; the AdamW recipes decay weight
matrices and kernels only."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import DefaultOptimWrapperConstructor

from mmpixpro.registry import MODELS
from pixpro_testing import ROOT, build, two_views

RECIPES = {
    'swin': 'pixpro/pixpro-fpn_swin-tiny_8xb64-coslr-300e_in1k.py',
    'convnext': 'pixpro/pixpro-fpn_convnext-tiny_8xb128-coslr-300e_in1k.py',
}
DEMOS = {
    'swin': 'pixpro/pixpro-fpn_swin-nano_demo.py',
    'convnext': 'pixpro/pixpro-fpn_convnext-atto_demo.py',
}
# C2-C5 of Swin-T and ConvNeXt-T: channels, and cells per side at 224 and
# 96 px (strides 4, 8, 16, 32; 96 / 32 = 3)
STAGES = {224: [(96, 56), (192, 28), (384, 14), (768, 7)],
          96: [(96, 24), (192, 12), (384, 6), (768, 3)]}
# the FPN's P2-P6 (256 channels): P6 is P5 max-pooled with stride 2
# (kernel 1: 7 -> 4, 3 -> 2)
LEVELS = {224: [56, 28, 14, 7, 4], 96: [24, 12, 6, 3, 2]}
# the pixel task on P3-P6: the image side over the cells, i.e. the stride
# the box geometry uses (P6: 224 / 4 and 96 / 2, not 64)
PRETEXT_STRIDES = {224: [8, 16, 32, 56], 96: [8, 16, 32, 48]}


def recipe(path: str) -> Config:
    """A recipe's model config, with plain BN (no process group here)."""
    model = Config.fromfile(osp.join(ROOT, 'configs', path)).model
    model.neck.norm_cfg = dict(type='BN')
    return model


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_fpn_pretext_levels_have_the_expected_strides_and_channels(name):
    cfg = recipe(RECIPES[name])
    torch.manual_seed(0)
    backbone, fpn = MODELS.build(cfg.backbone), MODELS.build(cfg.fpn)
    backbone.eval()
    assert cfg.neck.in_channels == 256
    for size in (96, 224):
        with torch.no_grad():
            stages = backbone(torch.randn(1, 3, size, size))
            levels = fpn(stages)
        assert [tuple(c.shape) for c in stages] == [
            (1, ch, cells, cells) for ch, cells in STAGES[size]], size
        assert [tuple(p.shape) for p in levels] == [
            (1, 256, cells, cells) for cells in LEVELS[size]], size
        pretext = [levels[i] for i in cfg.neck.in_index]
        assert [size / p.shape[-1] for p in pretext] == PRETEXT_STRIDES[
            size]


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(RECIPES))
def test_tiny_backbones_take_a_pixpro_fpn_step_at_224(name):
    torch.manual_seed(0)
    cfg = recipe(RECIPES[name])
    cfg.neck.hid_channels = 256  # the recipe's 4096: half the step's cost
    model = build(cfg)
    inputs, samples = two_views(n=1, size=224)
    loss = model.loss(inputs, samples)['loss']
    assert torch.isfinite(loss)
    loss.backward()
    grads = {n: p.grad for n, p in model.backbone.named_parameters()}
    # P3-P6 do not depend on C2 (the top-down path runs coarse to fine):
    # C2's output norm gets no gradient, C3-C5's norms and every stage do
    assert grads['norm0.weight'] is None
    for i in (1, 2, 3):
        assert torch.isfinite(grads[f'norm{i}.weight']).all()
        assert grads[f'norm{i}.weight'].abs().sum() > 0
    stage_grads = [g for n, g in grads.items() if n.startswith('stages.')]
    assert all(g is not None and torch.isfinite(g).all()
               for g in stage_grads)
    assert all(p.grad is None for p in model.target_net.parameters())


@pytest.mark.parametrize('name', sorted(RECIPES))
def test_adamw_recipe_decays_weight_matrices_and_kernels_only(name):
    optim_cfg = Config.fromfile(osp.join(ROOT, 'configs',
                                         RECIPES[name])).optim_wrapper
    optim_cfg.type = 'OptimWrapper'  # the AMP wrapper wants a GPU
    optim_cfg.pop('dtype')
    # the demo model of the same family (same module types, seconds to
    # build): Swin's relative position tables, ConvNeXt's layer scales
    model = MODELS.build(recipe(DEMOS[name]))
    wrapper = DefaultOptimWrapperConstructor(
        optim_cfg, optim_cfg.pop('paramwise_cfg'))(model)
    decay = {id(p): group['weight_decay']
             for group in wrapper.optimizer.param_groups
             for p in group['params']}
    checked = set()
    for pname, param in model.named_parameters():
        if pname.startswith('target_net.'):
            continue
        no_decay = (param.ndim == 1
                    or 'relative_position_bias_table' in pname)
        assert decay[id(param)] == (0. if no_decay else 0.05), pname
        checked.add('table' if 'position_bias_table' in pname else
                    'gamma' if pname.endswith('gamma') else param.ndim)
    assert checked >= ({'table', 1, 2, 4} if name == 'swin' else
                       {'gamma', 1, 2, 4})
