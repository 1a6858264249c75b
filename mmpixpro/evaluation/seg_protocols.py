# Copyright (c) mmpixpro contributors. All rights reserved.
"""Frozen linear segmentation by protocol: named presets of
:func:`~mmpixpro.evaluation.run_dense_probe` that fix the resolution, the
stage, the head, the schedule and the label resolution of the metric.

The label resolution moves the number a lot: the same DINOv2-L scores 47.7
mIoU on ADE20K with 448 px masks and 41.8 with 100 px masks
(valeoai/Franca issue #2), so every result states it.

* ``seg-linear-dinov2``: DINOv2's linear evaluation (Oquab et al., "DINOv2:
  Learning Robust Visual Features without Supervision", TMLR 2024,
  https://arxiv.org/abs/2304.07193, Sec. 7.4 "linear": a linear layer on
  the frozen patch features, BatchNorm before it, logits upsampled to the
  label resolution). Images at 448 px, the loss and the mIoU on the 448 px
  masks (labels not reduced).
* ``seg-linear-neco``: the linear segmentation of NeCo (Pariza et al.,
  "Near, far: Patch-ordering enhances vision foundation models' scene
  understanding", ICLR 2025, https://arxiv.org/abs/2408.11054; repository
  vpariza/NeCo ``experiments/linear_segmentation``, also used by Franca):
  a 1x1 conv without BatchNorm on the frozen features, images at 448 px,
  masks reduced (nearest) to 100 x 100 for the loss and for the mIoU; SGD
  lr 0.01, momentum 0.9, weight decay 1e-4, 20 epochs, batch 128, the
  step decay at epoch 20 (never reached: a constant rate), plain
  cross-entropy.

Deviations (stated in the settings of every result):

* ResNets, not ViTs: the frozen features are the stage ``stage`` (C5 by
  default, stride 32: 14 x 14 at 448 px, the last layer as the papers use
  the last layer's tokens; ``stage='C4'`` gives 28 x 28, the grid of a
  ViT/16).
* DINOv2's head is trained with mmsegmentation's iteration schedule
  (not verified here); this preset keeps the probe's Adam (lr 0.01,
  cosine, 40 epochs, batch 16). NeCo upsamples the features to 100 x 100
  before its 1x1 conv; the probe upsamples the logits, the same map up to
  rounding (a 1x1 conv commutes with bilinear interpolation).
* Pairs are resized to a square (``img_size``) without cropping, for train
  and test alike; the papers crop (train) and resize (test).
* Features are streamed (:mod:`.feature_stream`): at most ``cache_bytes``
  of train features are held (1 GiB by default), the rest recomputed every
  epoch; the kNN readout is off.
"""
import os.path as osp
import time
from typing import Dict

from torch import nn

from mmpixpro.registry import EVAL_PROTOCOLS
from .dense_dataset import DenseSegDataset
from .dense_probe import DenseProbeConfig, run_dense_probe
from .protocols import ProtocolResult

# Settings shared by the presets (all overridable, all reported).
COMMON_SETTINGS = dict(
    layout='voc', train_split='train', test_split=None, seed=0,
    cache_bytes=2**30, extract_batch_size=16, ignore_index=255)

SEG_PRESETS: Dict[str, dict] = {
    'seg-linear-dinov2': dict(
        source='DINOv2 (Oquab et al. 2024, arXiv 2304.07193, Sec. 7.4 '
        'linear): BN + linear on frozen patch features, 448 px, mIoU on '
        '448 px masks',
        img_size=448, stage='C5', head_bn=True, label_scale=None,
        label_size=None, metric_size=None, optimizer='adam', lr=0.01,
        momentum=0.9, weight_decay=0.0, schedule='cosine', epochs=40,
        batch_size=16, balance=0.0),
    'seg-linear-neco': dict(
        source='NeCo (Pariza et al. 2025, arXiv 2408.11054; '
        'vpariza/NeCo experiments/linear_segmentation), as Franca: 1x1 '
        'conv on frozen features, 448 px, loss and mIoU on 100 px masks',
        img_size=448, stage='C5', head_bn=False, label_scale=None,
        label_size=100, metric_size=100, optimizer='sgd', lr=0.01,
        momentum=0.9, weight_decay=1e-4, schedule='constant', epochs=20,
        batch_size=128, balance=0.0),
}


def default_test_split(root: str, layout: str) -> str:
    """``val``, or ``test`` for a VOC-layout folder without ``val.txt``
    (our ``data/dense``)."""
    if layout == 'voc' and not osp.isfile(
            osp.join(root, 'ImageSets', 'Segmentation', 'val.txt')):
        return 'test'
    return 'val'


def seg_linear_protocol(name: str, backbone: nn.Module, data_root: str,
                        **settings) -> ProtocolResult:
    """Run the preset ``name`` of ``SEG_PRESETS``.

    Args:
        name (str): A key of ``SEG_PRESETS``.
        backbone (nn.Module): The frozen backbone.
        data_root (str): A VOC, Cityscapes, ADE20K or COCO-Stuff folder
            (``layout``; see :class:`DenseSegDataset`).
        **settings: Overrides of the preset and of
            ``COMMON_SETTINGS``.

    Returns:
        ProtocolResult: ``mIoU`` and ``aAcc`` (percent) of the linear head
        on the test split; ``settings`` with every value used, the head and
        the label resolutions spelled out; per-class IoU, label sizes and
        memory in ``extra``.
    """
    cfg = dict(COMMON_SETTINGS, **SEG_PRESETS[name])
    unknown = set(settings) - (set(cfg) - {'source'})
    if unknown:
        raise ValueError(f'unknown {name} settings {sorted(unknown)}; '
                         f'known: {sorted(set(cfg) - {"source"})}')
    cfg.update(settings)
    if cfg['test_split'] is None:
        cfg['test_split'] = default_test_split(data_root, cfg['layout'])
    start = time.perf_counter()
    data = {
        key: DenseSegDataset(data_root, cfg[f'{key}_split'], cfg['layout'],
                             cfg['img_size'])
        for key in ('train', 'test')
    }
    probe_keys = {f for f in DenseProbeConfig.__dataclass_fields__}
    probe_cfg = {k: v for k, v in cfg.items() if k in probe_keys}
    result = run_dense_probe(backbone, data, dict(probe_cfg, knn=False))
    sizes = result['label_sizes']
    cfg.update(
        head=('BatchNorm + 1x1 conv' if cfg['head_bn'] else '1x1 conv') +
        ', logits upsampled bilinearly to the label size',
        train_label_resolution='x'.join(map(str, sizes['train'])),
        metric_label_resolution='x'.join(map(str, sizes['metric'])) +
        (' (labels not reduced)' if sizes['metric'] == [cfg['img_size']] * 2
         else ' (labels reduced, nearest)'))
    classes = list(data['train'].classes)
    extra = dict(
        IoU={c: v for c, v in zip(classes, result['IoU'])},
        pixel_acc=result['pixel_acc'], label_sizes=sizes,
        feat_shape=result['feat_shape'], memory=result['memory'],
        num_train=len(data['train']), num_test=len(data['test']),
        seconds=result['seconds'])
    metrics = dict(mIoU=100 * result['mIoU'], aAcc=100 * result['pixel_acc'])
    return ProtocolResult(name, metrics, cfg, data_root,
                          time.perf_counter() - start, extra)


@EVAL_PROTOCOLS.register_module(name='seg-linear-dinov2')
def seg_linear_dinov2(backbone: nn.Module, data_root: str,
                      **settings) -> ProtocolResult:
    """DINOv2-style frozen linear segmentation (448 px masks); see
    ``SEG_PRESETS`` and the module docstring for source and
    deviations."""
    return seg_linear_protocol('seg-linear-dinov2', backbone, data_root,
                               **settings)


@EVAL_PROTOCOLS.register_module(name='seg-linear-neco')
def seg_linear_neco(backbone: nn.Module, data_root: str,
                    **settings) -> ProtocolResult:
    """NeCo/Franca-style frozen linear segmentation (100 px masks); see
    ``SEG_PRESETS`` and the module docstring for source and
    deviations."""
    return seg_linear_protocol('seg-linear-neco', backbone, data_root,
                               **settings)


# the settings each preset takes, with their defaults, for the command
# line to check overrides before a model is loaded (evaluate.py)
for _fn, _name in ((seg_linear_dinov2, 'seg-linear-dinov2'),
                   (seg_linear_neco, 'seg-linear-neco')):
    _fn.default_settings = {
        key: value
        for key, value in dict(COMMON_SETTINGS, **SEG_PRESETS[_name]).items()
        if key != 'source'
    }
