# Copyright (c) mmpixpro contributors. All rights reserved.
"""The dense probe and kNN readout on a ViT's patch map: from the training
model's backbone (the DenseProbeHook path) and from a checkpoint with the
training config (tools/analysis_tools/dense_probe.py --config)."""
import numpy as np
import pytest
import torch
from pixpro_testing import ROOT, load_tool, make_voc_set

from mmpixpro.evaluation import extract_features
from mmpixpro.evaluation.frozen_backbone import last_feature_map
from mmpixpro.models import ViTPatchAndClassMaps

CONFIG = f'{ROOT}/configs/pixpro/pixpro_vit-tiny-p16_demo.py'
TINY = dict(embed_dims=48, num_layers=1, num_heads=2, feedforward_channels=96)


def test_readout_takes_the_patch_map_not_the_class_token():
    patch, cls = torch.zeros(2, 8, 4, 4), torch.ones(2, 8, 1, 1)
    assert last_feature_map(patch) is patch
    assert last_feature_map((patch, cls)) is patch
    with pytest.raises(ValueError, match='feature map'):
        last_feature_map((torch.zeros(2, 8), ))  # a pooled vector
    vit = ViTPatchAndClassMaps(arch=TINY, img_size=64)
    vit.train()  # mmpretrain's ViT.train() returns None
    images = [np.full((80, 80, 3), v, np.uint8) for v in (0, 90, 200)]
    feats = extract_features(vit, images, batch_size=2)
    assert feats.shape == (3, 48, 5, 5)  # 80 px: ceil(80 / 16) cells
    assert vit.training  # restored


def test_dense_probe_tool_reads_a_vit_checkpoint(tmp_path):
    from mmengine.config import Config

    from mmpixpro.registry import MODELS
    tool = load_tool('tools', 'analysis_tools', 'dense_probe.py')
    root = make_voc_set(tmp_path / 'voc', num_train=4, num_test=2)
    backbone = MODELS.build(Config.fromfile(CONFIG).model.backbone)
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state['neck.mlp.0.weight'] = torch.zeros(1)  # not the backbone's
    ckpt = tmp_path / 'epoch_12.pth'
    torch.save(dict(state_dict=state, meta={}), ckpt)
    result = tool.main([
        '--checkpoint', str(ckpt), '--config', CONFIG, '--data', root,
        '--img-size', '64', '--epochs', '1', '--out',
        str(tmp_path / 'p.json')
    ])
    assert (result['num_train'], result['num_test']) == (4, 2)
    assert 0 <= result['mIoU'] <= 1 and 0 <= result['knn_mIoU'] <= 1
    # a checkpoint of another backbone is refused (strict loading)
    bad = tmp_path / 'bad.pth'
    torch.save(dict(state_dict={'backbone.conv1.weight': torch.zeros(1)}),
               bad)
    with pytest.raises(Exception, match='conv1|missing|unexpected'):
        tool.main(['--checkpoint', str(bad), '--config', CONFIG, '--data',
                   root, '--img-size', '64', '--epochs', '1'])
