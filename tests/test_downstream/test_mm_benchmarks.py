# Copyright (c) mmpixpro contributors. All rights reserved.
"""Every mmdet/mmseg benchmark config, built and trained by the real library.

Each config is run through ``tools/benchmarks/train_mm.py`` on the generated
sets (128 px, 2 iterations, batch 2, evaluation at the end), starting from
a ``convert.py`` export of a PixPro R-50 training checkpoint.
"""
import glob
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch
from downstream_helpers import NEEDS_MM, REPO, TRAIN_MM, run_tool
from mmengine.config import Config

pytestmark = NEEDS_MM

BENCH = osp.join(REPO, 'configs', 'benchmarks')
MM_CONFIGS = sorted(
    glob.glob(osp.join(BENCH, 'mmdetection', '*_r50-*.py')) +
    glob.glob(osp.join(BENCH, 'mmsegmentation', '*_r50-*.py')))
# the ViT / Swin / ConvNeXt configs: tests/test_export/
# test_transformer_exports.py and test_downstream/test_transformer_benchmarks
VAL_METRIC = {
    'voc0712': 'pascal_voc/mAP',
    'coco': 'coco/bbox_mAP',
    'voc12aug': 'mIoU',
    'cityscapes': 'mIoU',
}


def framework_and_export(path, exports):
    """Which library and which export a config takes."""
    if 'mmsegmentation' in path:
        return 'mmseg', exports['cp2' if 'cp2-pre' in path else 'mmseg']
    return 'mmdet', exports['fpn' if 'fpn-pre' in path else 'mmdet']


def scalar_rows(work_dir):
    """Rows of the run's ``scalars.json``."""
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert len(files) == 1, files
    with open(files[0]) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize('path', MM_CONFIGS, ids=osp.basename)
def test_config_trains_and_evaluates_from_export(path, downstream_data,
                                                 r50_exports, tmp_path):
    framework, export = framework_and_export(path, r50_exports)
    result = run_tool(TRAIN_MM, framework, path, '--pretrained', export,
                      '--demo-data', downstream_data, '--demo-iters', 2,
                      '--work-dir', tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    # every tensor of the export landed in the built model, unchanged
    with open(tmp_path / 'pretrained_check.json') as f:
        report = json.load(f)
    assert not report['unused'] and not report['differing']
    state = torch.load(export, weights_only=True)['state_dict']
    assert sum(report['files'].values()) >= len(state)
    assert sum(report['loaded'].values()) >= len(state)
    extra = {k for keys in report['not_in_file'].values() for k in keys}
    if '-c4_' in path:  # the only keys not from the file: res5's extra norm
        assert extra == {f'norm.{p}' for p in (
            'weight', 'bias', 'running_mean', 'running_var',
            'num_batches_tracked')}
    elif 'fpn-pre' in path:
        assert not extra
    rows = scalar_rows(str(tmp_path))
    losses = [row['loss'] for row in rows if 'loss' in row]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
    metric = next(v for k, v in VAL_METRIC.items() if k in path)
    assert any(metric in row for row in rows), rows[-1]
    if framework == 'mmdet':  # PreciseBN ran before the evaluation
        assert 'Finish Precise BN' in result.stdout + result.stderr


def test_dry_run_builds_the_model_and_names_build_errors(r50_exports):
    path = osp.join(BENCH, 'mmdetection',
                    'mask-rcnn_r50-c4_pixpro-pre_8xb2-1x_coco.py')
    ok = run_tool(TRAIN_MM, 'mmdet', path, '--pretrained',
                  r50_exports['mmdet'], '--dry-run')
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert 'model built by mmdet' in ok.stdout
    # the argument that made this config unbuildable before
    bad = run_tool(TRAIN_MM, 'mmdet', path, '--pretrained',
                   r50_exports['mmdet'], '--dry-run', '--cfg-options',
                   'model.roi_head.share_roi_extractor=True')
    assert bad.returncode == 1
    assert 'share_roi_extractor' in bad.stderr


def demo_cfg(name, data_root):
    from mmpixpro.downstream.demo_scale import to_demo_scale
    cfg = Config.fromfile(osp.join(BENCH, 'mmdetection', name))
    return to_demo_scale(cfg, data_root)


VOC_XML = """<annotation><filename>{name}.jpg</filename>
<size><width>128</width><height>96</height><depth>3</depth></size>
<object><name>bird</name><difficult>1</difficult><bndbox><xmin>11</xmin>
<ymin>21</ymin><xmax>20</xmax><ymax>30</ymax></bndbox></object>
<object><name>coin</name><difficult>0</difficult><bndbox><xmin>51</xmin>
<ymin>41</ymin><xmax>70</xmax><ymax>60</ymax></bndbox></object>
</annotation>"""


def test_voc_training_keeps_difficult_and_small_boxes(tmp_path):
    """detectron2 trains on difficult and small VOC boxes; so do we."""
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope
    from PIL import Image
    for year in ('VOC2007', 'VOC2012'):
        root = tmp_path / 'VOCdevkit' / year
        for sub in ('JPEGImages', 'Annotations', 'ImageSets/Main'):
            (root / sub).mkdir(parents=True)
        name = f'{year}_a'
        Image.fromarray(np.full((96, 128, 3), 90, np.uint8)).save(
            root / 'JPEGImages' / f'{name}.jpg')
        (root / 'Annotations' / f'{name}.xml').write_text(
            VOC_XML.format(name=name))
        (root / 'ImageSets' / 'Main' / 'trainval.txt').write_text(name)
    (tmp_path / 'classes.json').write_text(
        json.dumps(dict(classes=['background', 'bird', 'coin'])))
    cfg = demo_cfg('faster-rcnn_r50-c4_pixpro-pre_8xb2-24k_voc0712.py',
                   str(tmp_path))
    for step in cfg.train_dataloader.dataset.datasets[0].pipeline:
        if step['type'] == 'RandomFlip':
            step['prob'] = 0.0
    init_default_scope('mmdet')
    import mmpixpro.downstream.mmdet_modules  # noqa: F401
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    sample = dataset[0]['data_samples']
    boxes = sample.gt_instances.bboxes.tensor
    scale = sample.metainfo['scale_factor']
    # both boxes, resized with the image; mmdet subtracts 1 from all four
    # 1-based VOC coordinates (detectron2 from xmin/ymin only)
    expected = torch.tensor([[10., 20., 19., 29.], [50., 40., 69., 59.]])
    expected *= torch.tensor([scale[0], scale[1], scale[0], scale[1]])
    assert torch.allclose(boxes, expected, atol=1e-3)
    assert sample.gt_instances.labels.tolist() == [0, 1]
    assert len(sample.ignored_instances) == 0


def test_c4_head_has_extra_norm_and_norms_get_no_decay(r50_exports):
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.utils import import_modules_from_strings
    cfg = Config.fromfile(
        osp.join(BENCH, 'mmdetection',
                 'faster-rcnn_r50-c4_pixpro-pre_8xb2-24k_voc0712.py'))
    import_modules_from_strings(**cfg.custom_imports)
    init_default_scope('mmdet')
    cfg.model.backbone.norm_cfg = cfg.model.roi_head.shared_head.norm_cfg = \
        dict(type='BN', requires_grad=True)
    model = MODELS.build(cfg.model)
    head = model.roi_head.shared_head
    head.eval()  # mmdet's ResLayer.train() returns None
    x = torch.randn(2, 1024, 7, 7)
    with torch.no_grad():
        assert torch.allclose(head(x), head.norm(head.layer4(x)))
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {}
    for group in optim.optimizer.param_groups:
        for param in group['params']:
            decay[id(param)] = group['weight_decay']
    named = dict(model.named_parameters())
    assert decay[id(named['roi_head.shared_head.norm.weight'])] == 0
    assert decay[id(named['backbone.bn1.weight'])] == 0
    assert decay[id(named['backbone.conv1.weight'])] == 1e-4
