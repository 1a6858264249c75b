# Copyright (c) mmpixpro contributors. All rights reserved.
"""Exports of mmpretrain's ViT, Swin and ConvNeXt (mmpixpro.export.vit,
swin, convnext): key maps checked by hand, every tensor unchanged, strict
loads into torchvision with equal outputs, the benchmark configs."""
import os.path as osp

import pytest
import torch
import torchvision
from mmengine.config import Config
from mmpretrain.models import ConvNeXt, SwinTransformer, VisionTransformer
from pixpro_testing import load_tool, save_training_checkpoint

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.export import (check_mm_config, convert_checkpoint,
                             default_output, export_state_dict,
                             verify_export)
from mmpixpro.export import convnext, swin, vit
from mmpixpro.export.families import detect_family

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BENCH = osp.join(REPO, 'configs', 'benchmarks')
MM = ('mmpretrain', 'mmdet', 'mmseg')


def _randomised(model):
    """Weights far from any initialisation (LN weights around 1)."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.2)
            if p.ndim == 1 and ('norm' in name or 'ln' in name):
                p.add_(1.0)
    model.eval()  # mmpretrain's train() returns None
    return model


def tiny(family):
    """Small mmpretrain backbones (seconds on CPU)."""
    if family == 'vit':
        return _randomised(VisionTransformer(
            arch=dict(embed_dims=64, num_layers=2, num_heads=4,
                      feedforward_channels=128),
            img_size=32, patch_size=8, out_type='cls_token'))
    if family == 'swin':
        return _randomised(SwinTransformer(
            arch=dict(embed_dims=32, depths=[2, 2, 2, 2],
                      num_heads=[1, 2, 4, 8]),
            img_size=64, window_size=2, out_indices=(3, )))
    return _randomised(ConvNeXt(
        arch=dict(depths=[1, 1, 2, 1], channels=[16, 32, 64, 128]),
        out_indices=(3, )))


@pytest.fixture(scope='module')
def backbones():
    return {f: tiny(f) for f in ('vit', 'swin', 'convnext')}


def training_state(backbone):
    """A training state_dict: online backbone, neck, momentum copy."""
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state.update({f'target_net.0.{k}': v + 1
                  for k, v in backbone.state_dict().items()})
    state['neck.proj.weight'] = torch.zeros(4, 4)
    return state


def merged_tv(value):
    """torchvision channel b * C + c = unfold channel c * 4 + [0,2,1,3][b],
    written out with loops."""
    c = value.shape[-1] // 4
    out = torch.empty_like(value)
    for b, p in enumerate((0, 2, 1, 3)):
        for ch in range(c):
            out[..., b * c + ch] = value[..., ch * 4 + p]
    return out


# (family, target) -> {exported name: value from the mmpretrain weights},
# written by hand from the two libraries' module trees
def hand_map(family, target, sd):
    if family == 'vit' and target == 'mmseg':
        return {
            'cls_token': sd['cls_token'],
            'pos_embed': sd['pos_embed'],
            'layers.1.attn.attn.in_proj_weight':
            sd['layers.1.attn.qkv.weight'],
            'layers.1.attn.attn.in_proj_bias': sd['layers.1.attn.qkv.bias'],
            'layers.0.attn.attn.out_proj.weight':
            sd['layers.0.attn.proj.weight'],
            'layers.1.ffn.layers.1.bias': sd['layers.1.ffn.layers.1.bias'],
            'ln1.weight': sd['ln1.weight'],
        }
    if family == 'vit':
        layer = 'encoder.layers.encoder_layer_1.'
        return {
            'class_token': sd['cls_token'],
            'encoder.pos_embedding': sd['pos_embed'],
            'conv_proj.weight': sd['patch_embed.projection.weight'],
            layer + 'self_attention.in_proj_weight':
            sd['layers.1.attn.qkv.weight'],
            layer + 'self_attention.out_proj.bias':
            sd['layers.1.attn.proj.bias'],
            layer + 'ln_2.weight': sd['layers.1.ln2.weight'],
            layer + 'mlp.0.weight': sd['layers.1.ffn.layers.0.0.weight'],
            layer + 'mlp.3.weight': sd['layers.1.ffn.layers.1.weight'],
            'encoder.ln.bias': sd['ln1.bias'],
        }
    if family == 'swin':
        block = 'stages.1.blocks.1.'
        return {
            'features.0.0.weight': sd['patch_embed.projection.weight'],
            'features.0.2.bias': sd['patch_embed.norm.bias'],
            'features.3.1.attn.qkv.weight':
            sd[block + 'attn.w_msa.qkv.weight'],
            'features.3.1.attn.relative_position_bias_table':
            sd[block + 'attn.w_msa.relative_position_bias_table'],
            'features.3.1.attn.relative_position_index':
            sd[block + 'attn.w_msa.relative_position_index'].flatten(),
            'features.3.1.mlp.3.weight': sd[block + 'ffn.layers.1.weight'],
            'features.3.1.norm2.weight': sd[block + 'norm2.weight'],
            'features.4.reduction.weight':
            merged_tv(sd['stages.1.downsample.reduction.weight']),
            'features.2.norm.bias':
            merged_tv(sd['stages.0.downsample.norm.bias']),
            'norm.weight': sd['norm3.weight'],
        }
    return {
        'features.0.0.weight': sd['downsample_layers.0.0.weight'],
        'features.0.1.bias': sd['downsample_layers.0.1.bias'],
        'features.4.0.weight': sd['downsample_layers.2.0.weight'],
        'features.4.1.weight': sd['downsample_layers.2.1.weight'],
        'features.5.1.layer_scale': sd['stages.2.1.gamma'].view(-1, 1, 1),
        'features.5.1.block.0.weight': sd['stages.2.1.depthwise_conv.weight'],
        'features.5.1.block.2.bias': sd['stages.2.1.norm.bias'],
        'features.5.1.block.3.weight': sd['stages.2.1.pointwise_conv1.weight'],
        'features.5.1.block.5.bias': sd['stages.2.1.pointwise_conv2.bias'],
        'classifier.0.weight': sd['norm3.weight'],
    }


@pytest.mark.parametrize('family', ['vit', 'swin', 'convnext'])
def test_every_tensor_arrives_unchanged(backbones, family, tmp_path):
    sd = backbones[family].state_dict()
    src = save_training_checkpoint(training_state(backbones[family]),
                                   tmp_path / 'c.pth')
    assert detect_family(sd) == family
    # 'mmpretrain' writes what 'mmdet' writes (mmpretrain's names)
    for target in ('mmdet', 'mmseg', 'torchvision'):
        out = convert_checkpoint(src, target, str(tmp_path / f'{target}.pth'))
        assert out.family == family and out.num_backbone == len(sd)
        state = torch.load(out.path, weights_only=True)
        if target in MM:
            state = state['state_dict']
        assert not any('target_net' in k or k.startswith('neck.')
                       for k in state)
        assert len(state) == len(sd)
        bare = family == 'vit' and target == 'mmseg'
        if target in MM and not bare:  # mmpretrain's names, unchanged
            assert all(torch.equal(state[f'backbone.{k}'], v)
                       for k, v in sd.items())
        else:
            for key, value in hand_map(family, target, sd).items():
                assert torch.equal(state[key], value), key
        assert verify_export(out.path, target) == out.arch


@pytest.mark.parametrize('family', ['vit', 'swin', 'convnext'])
def test_torchvision_computes_the_same_function(backbones, family):
    model = backbones[family]
    state = export_state_dict(training_state(model), 'torchvision')
    module = dict(vit=vit, swin=swin, convnext=convnext)[family]
    kwargs = dict(num_heads=4) if family == 'vit' else {}
    tv = module.build_torchvision(model.state_dict(), **kwargs).eval()
    tv.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, *((32, 32) if family == 'vit' else (64, 64)))
    with torch.no_grad():
        ours = model(x)[-1]
        if family == 'vit':  # class token after the final norm
            theirs = tv(x)
        elif family == 'swin':  # last stage after the final norm
            theirs = tv.norm(tv.features(x)).permute(0, 3, 1, 2)
        else:  # pooled, then the final norm
            theirs = tv.classifier[0](tv.avgpool(tv.features(x))).flatten(1)
    assert ours.shape == theirs.shape
    assert torch.allclose(ours, theirs, atol=1e-4), \
        (ours - theirs).abs().max()


@pytest.mark.parametrize('family,build,arch', [
    ('vit', lambda: torchvision.models.vit_b_16(), 'b'),
    ('swin', lambda: torchvision.models.swin_t(), 'tiny'),
    ('convnext', lambda: torchvision.models.convnext_tiny(), 'tiny'),
])
def test_strict_load_into_the_real_torchvision_model(family, build, arch):
    cls = dict(vit=VisionTransformer, swin=SwinTransformer,
               convnext=ConvNeXt)[family]
    kwargs = dict(out_type='cls_token') if family == 'vit' else {}
    # shapes only: the full-size inits are slow (mmpretrain's Swin and
    # ConvNeXt call .item() while building: on the CPU, small enough)
    with torch.device('meta' if family == 'vit' else 'cpu'):
        ours = cls(arch=arch, **kwargs)
    with torch.device('meta'):
        model = build()
    state = export_state_dict(
        {f'backbone.{k}': torch.zeros(v.shape, dtype=v.dtype)
         for k, v in ours.state_dict().items()}, 'torchvision')
    # a wrong shape raises here; names must be exactly the model's
    missing, unexpected = model.load_state_dict(state, strict=False,
                                                assign=True)
    heads = dict(vit=['heads.head.bias', 'heads.head.weight'],
                 swin=['head.bias', 'head.weight'],
                 convnext=['classifier.2.bias', 'classifier.2.weight'])
    assert sorted(missing) == heads[family] and not unexpected


def test_vit_small_width_equals_torchvision():
    """ViT-S/16's width (mmpretrain 'deit-small': 384 dims, 6 heads, MLP
    1536, patch 16; 2 of its 12 layers, 64 px) against torchvision's
    class with those settings."""
    ours = _randomised(VisionTransformer(
        arch=dict(embed_dims=384, num_layers=2, num_heads=6,
                  feedforward_channels=1536),
        img_size=64, out_type='cls_token'))
    state = export_state_dict(
        {f'backbone.{k}': v for k, v in ours.state_dict().items()},
        'torchvision')
    tv = vit.build_torchvision(ours.state_dict(), num_heads=6).eval()
    tv.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(ours(x)[-1], tv(x), atol=1e-4)


def test_broken_exports_are_refused(backbones, tmp_path):
    src = save_training_checkpoint(training_state(backbones['swin']),
                                   tmp_path / 'c.pth')
    out = convert_checkpoint(src, 'torchvision', str(tmp_path / 't.pth'))
    state = torch.load(out.path, weights_only=True)
    state['features.3.1.norm3.weight'] = state.pop('features.3.1.norm1.weight')
    torch.save(state, out.path)
    with pytest.raises(ValueError, match='features.3.1.norm3.weight'):
        verify_export(out.path, 'torchvision')
    del state['features.3.1.norm3.weight']
    torch.save(state, out.path)
    with pytest.raises(KeyMismatchError, match='features.3.1.norm1.weight'):
        verify_export(out.path, 'torchvision')
    src = save_training_checkpoint(training_state(backbones['vit']),
                                   tmp_path / 'v.pth')
    out = convert_checkpoint(src, 'mmseg', str(tmp_path / 's.pth'))
    state = torch.load(out.path, weights_only=True)
    del state['state_dict']['layers.1.attn.attn.in_proj_bias']
    torch.save(state, out.path)
    with pytest.raises(KeyMismatchError, match='layers.1.attn.qkv.bias'):
        verify_export(out.path, 'mmseg')
    with pytest.raises(ValueError, match='detectron2'):
        convert_checkpoint(src, 'detectron2', str(tmp_path / 'd.pkl'))


def test_convert_cli_reports_the_architecture(backbones, tmp_path, capsys):
    src = save_training_checkpoint(training_state(backbones['convnext']),
                                   tmp_path / 'c.pth')
    convert = load_tool('tools', 'model_converters', 'convert.py')
    assert convert.main([src, '--to', 'mmdet']) == 0
    out = capsys.readouterr().out
    assert 'ConvNeXt (depths [1, 1, 2, 1]' in out and 'Verified' in out
    assert osp.isfile(default_output(src, 'mmdet'))


# benchmark config -> (pretraining config, target, backbone fields)
CONFIGS = {
    'mmsegmentation/upernet_vit-small-p16-mln_pixpro-pre_8xb2-160k_'
    'ade20k-512x512.py':
    ('pixpro/pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py', 'mmseg',
     dict(type='VisionTransformer', embed_dims=384, num_layers=12,
          final_norm=True, patch_bias=True)),
    'mmsegmentation/upernet_swin-tiny_pixpro-pre_8xb2-160k_ade20k-'
    '512x512.py':
    ('pixpro/pixpro_swin-tiny_8xb64-coslr-300e_in1k.py', 'mmseg',
     dict(type='SwinTransformer', embed_dims=96, window_size=7)),
    'mmsegmentation/upernet_convnext-tiny_pixpro-pre_8xb2-160k_ade20k-'
    '512x512.py':
    ('pixpro/pixpro_convnext-tiny_8xb128-coslr-300e_in1k.py', 'mmseg',
     dict(type='mmpretrain.ConvNeXt', arch='tiny')),
    'mmdetection/mask-rcnn_swin-tiny-fpn_pixpro-pre_8xb2-1x_coco.py':
    ('pixpro/pixpro_swin-tiny_8xb64-coslr-300e_in1k.py', 'mmdet',
     dict(type='SwinTransformer', embed_dims=96, convert_weights=False)),
    'mmdetection/mask-rcnn_convnext-tiny-fpn_pixpro-pre_8xb2-1x_coco.py':
    ('pixpro/pixpro_convnext-tiny_8xb128-coslr-300e_in1k.py', 'mmdet',
     dict(type='mmpretrain.ConvNeXt', arch='tiny')),
    'mmdetection/mask-rcnn_vit-small-p16-fpn_pixpro-pre_8xb2-1x_coco.py':
    ('pixpro/pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py', 'mmdet',
     dict(type='mmpretrain.VisionTransformer', arch='deit-small',
          img_size=224, out_type='featmap')),
}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_benchmark_config_fits_the_export(name):
    pretrain, target, fields = CONFIGS[name]
    cfg = Config.fromfile(osp.join(BENCH, name), import_custom_modules=False)
    assert cfg.default_scope == ('mmseg' if target == 'mmseg' else 'mmdet')
    backbone = cfg.model.backbone
    for key, value in fields.items():
        assert backbone[key] == value, key
    pre = cfg.model.data_preprocessor
    assert pre.mean == [123.675, 116.28, 103.53] and pre.bgr_to_rgb
    assert pre.std == [58.395, 57.12, 57.375]
    # the file convert.py writes by default for the pretraining run
    epochs = Config.fromfile(osp.join(REPO, 'configs', pretrain)
                             ).train_cfg.max_epochs
    stem = osp.splitext(osp.basename(pretrain))[0]
    init = backbone.init_cfg
    assert init.type == 'Pretrained' and init.checkpoint == default_output(
        f'work_dirs/{stem}/epoch_{epochs}.pth', target)
    # mmseg's ViT reads bare keys (no prefix); the others "backbone."
    bare = backbone.type == 'VisionTransformer'
    assert init.get('prefix') == (None if bare else 'backbone.')
    if bare:
        assert backbone.norm_cfg == dict(type='LN', eps=1e-6)


# the first word of each family's architecture (verify_export)
ARCH = {'VisionTransformer': 'ViT (384 dims, 12 layers)',
        'SwinTransformer': 'Swin (96 dims, depths [2, 2, 6, 2])',
        'ConvNeXt': 'ConvNeXt (depths [3, 3, 9, 3])'}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_mm_config_check_takes_the_family_of_the_weights(name):
    cfg = Config.fromfile(osp.join(BENCH, name), import_custom_modules=False)
    kind = cfg.model.backbone.type.rsplit('.', 1)[-1]
    check_mm_config(cfg, ARCH[kind])  # ViT's chain of necks included
    other = next(a for k, a in ARCH.items() if k != kind)
    with pytest.raises(ValueError, match=f'model.backbone.type=.*{kind}'):
        check_mm_config(cfg, other)
    with pytest.raises(ValueError, match='ResNet-50'):
        check_mm_config(cfg, 50)
    cfg.model.backbone.init_cfg = None
    with pytest.raises(ValueError, match="init_cfg must be dict"):
        check_mm_config(cfg, ARCH[kind])


def test_train_mm_dry_run_checks_a_vit_export(tmp_path, capsys):
    """tools/benchmarks/train_mm.py --dry-run on the ViT-S Mask R-CNN
    config and a convert.py export of the ViT-S pretraining config."""
    from mmpixpro.registry import MODELS
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'pixpro',
        'pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py'))
    backbone = MODELS.build(cfg.model.backbone)
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    src = save_training_checkpoint(state, tmp_path / 'epoch_1.pth')
    export = convert_checkpoint(src, 'mmdet').path
    tool = load_tool('tools', 'benchmarks', 'train_mm.py')
    name = 'mmdetection/mask-rcnn_vit-small-p16-fpn_pixpro-pre_8xb2-1x_coco.py'
    argv = ['mmdet', osp.join(BENCH, name), '--pretrained', export]
    assert tool.main(argv + ['--dry-run']) == 0
    assert 'config keys fit the weights' in capsys.readouterr().out


@pytest.mark.parametrize('config', [
    'pixpro/pixpro-ins_vit-tiny-p16_demo.py',
    'pixpro/pixpro-fpn_swin-nano_demo.py',  # ConvNeXt's FPN path alike
])
def test_demo_checkpoints_export(config, tmp_path):
    """Training checkpoints of the transformer demos (ViT with the class
    token map, Swin with an FPN) export, with their FPN."""
    from mmpixpro.registry import MODELS
    from mmpixpro.utils import register_all_modules
    register_all_modules()
    model = MODELS.build(Config.fromfile(
        osp.join(REPO, 'configs', config)).model)
    src = save_training_checkpoint(model.state_dict(), tmp_path / 'c.pth')
    fpn = 'fpn' in config
    out = convert_checkpoint(src, 'mmdet', with_fpn=fpn)
    state = torch.load(out.path, weights_only=True)['state_dict']
    online = {k for k in model.state_dict() if k.startswith('backbone.')}
    assert set(k for k in state if k.startswith('backbone.')) == online
    assert all(k.startswith(('backbone.', 'neck.')) for k in state)
    assert (out.num_fpn > 0) == fpn and out.arch == verify_export(
        out.path, 'mmdet')
    if fpn:
        assert 'start_level=0' in str(out)
