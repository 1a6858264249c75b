# Copyright (c) mmpixpro contributors. All rights reserved.
"""configs/benchmarks/classification: mmpretrain's own ImageClassifier is
built from each config and loads our exported backbone (every tensor,
head left random); the demo config trains 2 iterations in mmpretrain's
Runner."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image
from pixpro_testing import ROOT, save_training_checkpoint, scratch_dir

from mmpixpro.export import convert_checkpoint, default_output

BENCH = osp.join(ROOT, 'configs', 'benchmarks', 'classification')
R50 = osp.join(BENCH, 'resnet50_pixpro-pre_8xb32-linear-steplr-100e_in1k.py')
DEMO = osp.join(BENCH,
                'resnet18_pixpro-pre_1xb32-linear-steplr-12e_cls-demo.py')
CONFIGS = {R50: ('pixpro_r50_8xb128', 50), DEMO: ('pixpro_r18_demo', 18)}


def test_every_config_and_the_readme():
    assert sorted(glob.glob(osp.join(BENCH, '*.py'))) == sorted(CONFIGS)
    assert osp.isfile(osp.join(BENCH, 'README.md'))


def test_r50_is_mmpretrains_linear_recipe():
    """mmpretrain 1.2.0's mocov2 linear evaluation, inherited unchanged
    but for the frozen, pretrained backbone."""
    cfg = Config.fromfile(R50)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.model.type == 'ImageClassifier'
    assert cfg.model.head.type == 'LinearClsHead'
    assert cfg.model.head.num_classes == 1000
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=30., momentum=0.9, weight_decay=0.)
    assert [(s.type, s.milestones) for s in cfg.param_scheduler] == [
        ('MultiStepLR', [60, 80])]
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.train_dataloader.batch_size == 32  # x 8 GPUs
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    backbone = cfg.model.backbone
    assert backbone.frozen_stages == 4 and backbone.norm_eval is True


@pytest.mark.parametrize('path', sorted(CONFIGS), ids=osp.basename)
def test_default_checkpoint_is_what_convert_writes(path):
    pretrain, _ = CONFIGS[path]
    epochs = Config.fromfile(
        osp.join(ROOT, 'configs', 'pixpro',
                 f'{pretrain}.py')).train_cfg.max_epochs
    expected = default_output(
        osp.join('work_dirs', pretrain, f'epoch_{epochs}.pth'), 'mmpretrain')
    init = Config.fromfile(path).model.backbone.init_cfg
    assert init.type == 'Pretrained' and init.prefix == 'backbone.'
    assert init.checkpoint == expected


@pytest.fixture(scope='module')
def exports(tmp_path_factory):
    """Training checkpoints of a ResNet-50 and a ResNet-18 (online
    ``backbone.*`` with random weights and BN statistics; the ResNet-18's
    with a different momentum copy ``target_net.0.*``), exported for
    mmpretrain."""
    from mmpretrain.models import ResNet
    with scratch_dir(tmp_path_factory, 'exports') as folder:
        files = {}
        for depth in (50, 18):
            torch.manual_seed(depth)
            online = {k: torch.randn_like(v).abs_()
                      if v.is_floating_point() else v
                      for k, v in ResNet(depth).state_dict().items()}
            state = {f'backbone.{k}': v for k, v in online.items()}
            if depth == 18:
                state.update({f'target_net.0.{k}': v + 1
                              for k, v in online.items()})
            src = save_training_checkpoint(state, folder / f'r{depth}.pth')
            files[depth] = convert_checkpoint(src, 'mmpretrain').path
        yield files


@pytest.mark.parametrize('path', sorted(CONFIGS), ids=osp.basename)
def test_classifier_loads_every_backbone_tensor(path, exports):
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(path)
    depth = CONFIGS[path][1]
    cfg.model.backbone.init_cfg.checkpoint = exports[depth]
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = torch.load(exports[depth], map_location='cpu',
                       weights_only=True)['state_dict']
    own = model.backbone.state_dict()
    assert sorted(f'backbone.{k}' for k in own) == sorted(state)
    for key, value in own.items():
        assert torch.equal(value, state[f'backbone.{key}']), key
    # the head is new: random, N(0, 0.01), nothing of it in the file
    assert not any(k.startswith('head.') for k in state)
    weight = model.head.fc.weight
    assert 0.005 < weight.std().item() < 0.02
    # frozen: no gradient in the backbone, BN statistics kept in training
    model.train()
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert all(not m.training for m in model.backbone.modules()
               if isinstance(m, torch.nn.BatchNorm2d))
    assert all(p.requires_grad for p in model.head.parameters())


def test_demo_config_trains_in_mmpretrains_runner(tmp_path, exports):
    """Two iterations and a validation of the demo config on a tiny set in
    the demo layout (ann_files), the export as its backbone."""
    from mmengine.runner import Runner
    rng = np.random.default_rng(0)
    for split, count in (('train', 2), ('val', 1)):
        lines = []
        for label in range(4):
            os.makedirs(tmp_path / 'cls' / split / f'c{label}')
            for i in range(count):
                name = f'c{label}/{i}.jpg'
                Image.fromarray(rng.integers(0, 255, (40, 48, 3),
                                             np.uint8)).save(
                    tmp_path / 'cls' / split / name)
                lines.append(f'{name} {label}')
        os.makedirs(tmp_path / 'cls' / 'meta', exist_ok=True)
        (tmp_path / 'cls' / 'meta' / f'{split}.txt').write_text(
            '\n'.join(lines) + '\n')
    cfg = Config.fromfile(DEMO)
    cfg.model.backbone.init_cfg.checkpoint = exports[18]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = str(tmp_path / 'cls')
        cfg[loader].num_workers = 0
        cfg[loader].batch_size = 4
    cfg.train_dataloader.dataset.pipeline[1].scale = 32
    for pipeline in (cfg.val_dataloader.dataset.pipeline,
                     cfg.test_dataloader.dataset.pipeline):
        pipeline[1].scale, pipeline[2].crop_size = 36, 32
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1,
                         val_interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.env_cfg.dist_cfg = dict(backend='gloo')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    scores = runner.val_loop.run()
    assert 0 <= scores['accuracy/top1'] <= 100
    assert 'accuracy/top5' in scores
