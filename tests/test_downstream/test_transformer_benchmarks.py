# Copyright (c) mmpixpro contributors. All rights reserved.
"""The ViT / Swin / ConvNeXt benchmark configs, built by the real mmdet /
mmseg from a ``convert.py`` export of the pretraining config's backbone:
every exported tensor lands in the built backbone unchanged (mmseg's ViT
resizes ``pos_embed`` to its input size, compared with mmseg's own resize),
no backbone key of the file is left unused, and the backbone keys the file
does not hold are exactly the output norms PixPro does not pretrain."""
import os.path as osp

import pytest
import torch
from downstream_helpers import NEEDS_MM, REPO, TRAIN_MM, run_tool
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmpixpro.export import default_output
from mmpixpro.registry import MODELS as OUR_MODELS

pytestmark = NEEDS_MM

BENCH = osp.join(REPO, 'configs', 'benchmarks')
CONVERT = osp.join(REPO, 'tools', 'model_converters', 'convert.py')
UNPRETRAINED_NORMS = {f'norm{i}.{p}' for i in range(3)
                      for p in ('weight', 'bias')}
# benchmark config -> (pretraining config, target, backbone keys not in the
# file: the output norms of stages 0-2, since PixPro reads the last one)
CASES = {
    'mmsegmentation/upernet_vit-small-p16-mln_pixpro-pre_8xb2-160k_'
    'ade20k-512x512.py':
    ('pixpro/pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py', 'mmseg',
     set()),
    'mmsegmentation/upernet_swin-tiny_pixpro-pre_8xb2-160k_ade20k-'
    '512x512.py': ('pixpro/pixpro_swin-tiny_8xb64-coslr-300e_in1k.py',
                   'mmseg', UNPRETRAINED_NORMS),
    'mmsegmentation/upernet_convnext-tiny_pixpro-pre_8xb2-160k_ade20k-'
    '512x512.py': ('pixpro/pixpro_convnext-tiny_8xb128-coslr-300e_in1k.py',
                   'mmseg', UNPRETRAINED_NORMS),
    'mmdetection/mask-rcnn_swin-tiny-fpn_pixpro-pre_8xb2-1x_coco.py':
    ('pixpro/pixpro_swin-tiny_8xb64-coslr-300e_in1k.py', 'mmdet',
     UNPRETRAINED_NORMS),
    'mmdetection/mask-rcnn_convnext-tiny-fpn_pixpro-pre_8xb2-1x_coco.py':
    ('pixpro/pixpro_convnext-tiny_8xb128-coslr-300e_in1k.py', 'mmdet',
     UNPRETRAINED_NORMS),
    'mmdetection/mask-rcnn_vit-small-p16-fpn_pixpro-pre_8xb2-1x_coco.py':
    ('pixpro/pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py', 'mmdet',
     set()),
}


def training_checkpoint(pretrain_config, path):
    """Runner-style checkpoint: the pretraining config's online backbone
    with random weights (away from any init), plus a momentum copy."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', pretrain_config))
    backbone = OUR_MODELS.build(cfg.model.backbone)
    gen = torch.Generator().manual_seed(0)
    state = {}
    for key, value in backbone.state_dict().items():
        if value.is_floating_point():
            value = torch.randn(value.shape, generator=gen)
        state[f'backbone.{key}'] = value
        state[f'target_net.0.{key}'] = value
    torch.save({'state_dict': state, 'meta': {}}, str(path))
    return str(path)


@pytest.mark.parametrize('name', sorted(CASES))
def test_export_loads_into_the_benchmark_model(name, tmp_path):
    pretrain, target, not_in_file = CASES[name]
    src = training_checkpoint(pretrain, tmp_path / 'epoch_1.pth')
    result = run_tool(CONVERT, src, '--to', target)
    assert result.returncode == 0, result.stderr
    assert 'Verified' in result.stdout
    export = default_output(src, target)
    state = torch.load(export, weights_only=True)['state_dict']
    assert not any(k.startswith('target_net') for k in state)

    cfg = Config.fromfile(osp.join(BENCH, name))  # runs custom_imports
    cfg.model.backbone.init_cfg.checkpoint = export
    init_default_scope(cfg.default_scope)
    if target == 'mmdet':
        from mmdet.registry import MODELS
    else:
        from mmseg.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    built = model.backbone.state_dict()

    bare = not any(k.startswith('backbone.') for k in state)
    weights = state if bare else {k[len('backbone.'):]: v
                                  for k, v in state.items()}
    assert bare == (target == 'mmseg' and 'vit' in name)
    unused = sorted(set(weights) - set(built))
    assert not unused, unused
    assert set(built) - set(weights) == not_in_file
    for key, value in weights.items():
        if bare and key == 'pos_embed':  # 14 x 14 -> 32 x 32, by mmseg
            grid = model.backbone.img_size[0] // 16
            value = model.backbone.resize_pos_embed(
                value, (grid, grid), (14, 14), 'bicubic')
        assert torch.equal(built[key], value), key

    # the built model runs on the backbone's maps
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(1, 3, 128, 128))
    sizes = [f.shape[-1] for f in feats]
    if target == 'mmdet':  # FPN levels at strides 4 ... 64
        assert sizes == [32, 16, 8, 4, 2]
    else:  # four maps for UPerHead, strides 4 ... 32
        assert sizes == [32, 16, 8, 4]

    # the launcher takes the same config and file: it checks them, builds
    # the model with the framework and finds every tensor landed (mmseg's
    # ViT: pos_embed equal once re-sampled as mmseg does)
    result = run_tool(TRAIN_MM, target, osp.join(BENCH, name),
                      '--pretrained', export, '--dry-run')
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'every pretrained tensor loaded' in result.stdout
    assert ('re-sampled' in result.stdout) == bare
