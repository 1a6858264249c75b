# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check a fine-tuning config (mmdet, mmseg, detectron2) against the
pretrained weights it will load.

The checks catch the traps that cost accuracy without an error: a deep
stem (``ResNetV1c``) that leaves the stem random, caffe-style BGR inputs
for RGB weights, frozen or BN-eval stages, a C4 head whose ``res5`` is
not initialised, an FPN with norm layers that the pretrained FPN lacks.
They read plain config dicts (mmengine ``Config`` or detectron2 YAML) and
need neither mmdet, mmseg nor detectron2.
"""
import os.path as osp
from typing import Any, Iterator, List, Mapping, Optional, Union

import yaml

from .converter import PIXEL_MEAN, PIXEL_STD

PLAIN_RESNETS = ('ResNet', 'mmdet.ResNet', 'mmseg.ResNet',
                 'mmpretrain.ResNet')
# the backbone class (any scope) of each other family, by the first word of
# the architecture :func:`mmpixpro.export.verify_export` describes
FAMILY_CLASSES = {'ViT': 'VisionTransformer', 'Swin': 'SwinTransformer',
                  'ConvNeXt': 'ConvNeXt'}


def iter_pretrained(cfg: Any, path: str = 'model') -> Iterator[tuple]:
    """Every ``init_cfg`` of type ``Pretrained`` in a (nested) config.

    Args:
        cfg (Any): A config node.
        path (str): Its dotted path, for messages.

    Yields:
        tuple[str, dict]: ``(dotted path of the owner, init_cfg)``.
    """
    if isinstance(cfg, Mapping):
        init = cfg.get('init_cfg')
        if isinstance(init, Mapping) and init.get('type') == 'Pretrained':
            yield path, init
        for key, value in cfg.items():
            if key != 'init_cfg':
                yield from iter_pretrained(value, f'{path}.{key}')
    elif isinstance(cfg, (list, tuple)):
        for i, value in enumerate(cfg):
            yield from iter_pretrained(value, f'{path}[{i}]')


def _check_resnet_cfg(node: Mapping, where: str, depth: int,
                      problems: List[str]) -> None:
    """Plain stem, depth, SyncBN trained, nothing frozen, v1.5 style."""
    if node.get('type') not in PLAIN_RESNETS + ('ResLayer',
                                             'ResLayerExtraNorm'):
        problems.append(f'{where}.type={node.get("type")!r}: use the '
                        'plain-stem ResNet (not V1c/V1d) our weights fit.')
    if node.get('deep_stem'):
        problems.append(f'{where}.deep_stem=True: the weights have a plain '
                        'stem.')
    if node.get('depth') != depth:
        problems.append(f'{where}.depth={node.get("depth")} but the '
                        f'weights are ResNet-{depth}.')
    norm = node.get('norm_cfg') or {}
    if norm.get('type') != 'SyncBN' or norm.get('requires_grad') is False:
        problems.append(f'{where}.norm_cfg={dict(norm)}: fine-tune with '
                        'trainable SyncBN.')
    if node.get('norm_eval', True) is not False:
        problems.append(f'{where}.norm_eval must be False (BN trained).')
    if node.get('frozen_stages', -1) != -1:
        problems.append(f'{where}.frozen_stages={node.get("frozen_stages")}'
                        ': train all stages (-1).')
    if node.get('style', 'pytorch') != 'pytorch':
        problems.append(f'{where}.style={node.get("style")!r}: the weights '
                        'are v1.5 (stride in the 3x3), style="pytorch".')
    init = node.get('init_cfg') or {}
    if init.get('type') != 'Pretrained' or init.get('prefix') != 'backbone.':
        problems.append(f"{where}.init_cfg must be dict(type='Pretrained', "
                        "checkpoint=..., prefix='backbone.').")


def _check_family_cfg(node: Mapping, where: str, arch: str,
                      problems: List[str]) -> None:
    """A ViT / Swin / ConvNeXt backbone of the weights' family (in any
    scope), initialised from the file; whether every tensor lands is
    checked on the built model (``PretrainedCheckHook``)."""
    expected = FAMILY_CLASSES.get(arch.split(' ', 1)[0])
    kind = str(node.get('type', '')).rsplit('.', 1)[-1]
    if expected is None or kind != expected:
        problems.append(f'{where}.type={node.get("type")!r} but the weights '
                        f'are {arch}' +
                        (f': use {expected}.' if expected else '.'))
    init = node.get('init_cfg') or {}
    if init.get('type') != 'Pretrained':
        problems.append(f"{where}.init_cfg must be dict(type='Pretrained', "
                        'checkpoint=...).')


def check_mm_config(cfg: Mapping,
                    depth: Union[int, str] = 50,
                    with_fpn: Optional[bool] = None) -> None:
    """Raise unless an mmdet/mmseg config fits our exported weights.

    Args:
        cfg (Mapping): The full config (``mmengine.Config``).
        depth (int | str): ResNet depth of the weights, or the
            architecture of a ViT / Swin / ConvNeXt export as
            :func:`mmpixpro.export.verify_export` returns it (e.g.
            ``'Swin (96 dims, depths [2, 2, 6, 2], window 7)'``).
            Defaults to 50.
        with_fpn (bool, optional): Whether the config must (True) or must
            not (False) initialise its neck from the export; None: decide
            from the config.

    Raises:
        ValueError: Listing every problem found.
    """
    model = cfg['model']
    problems: List[str] = []
    if isinstance(depth, str):
        _check_family_cfg(model['backbone'], 'model.backbone', depth,
                          problems)
    else:
        _check_resnet_cfg(model['backbone'], 'model.backbone', depth,
                          problems)
        shared = (model.get('roi_head') or {}).get('shared_head')
        if shared:  # C4: res5 lives in the RoI head and must be loaded too
            _check_resnet_cfg(shared, 'model.roi_head.shared_head', depth,
                              problems)
    pre = model.get('data_preprocessor') or cfg.get('data_preprocessor', {})
    if (tuple(pre.get('mean', ())) != PIXEL_MEAN
            or tuple(pre.get('std', ())) != PIXEL_STD
            or not pre.get('bgr_to_rgb')):
        problems.append('data_preprocessor: use RGB (bgr_to_rgb=True) with '
                        f'mean={list(PIXEL_MEAN)}, std={list(PIXEL_STD)}.')
    neck = model.get('neck') or {}
    if not isinstance(neck, Mapping):  # a chain of necks (ViT): none is ours
        neck = {}
    neck_init = neck.get('init_cfg') or {}
    if with_fpn is None:
        with_fpn = neck_init.get('type') == 'Pretrained'
    if with_fpn:
        if neck_init.get('prefix') != 'neck.':
            problems.append("model.neck.init_cfg must be dict(type="
                            "'Pretrained', checkpoint=..., prefix='neck.').")
        if neck.get('norm_cfg') is not None:
            problems.append('model.neck.norm_cfg must be None: the '
                            'pretrained FPN has biases, no norm layers.')
    if problems:
        raise ValueError('Config does not fit the pretrained weights:\n  ' +
                         '\n  '.join(problems))


def load_d2_yaml(path: str) -> dict:
    """A detectron2 YAML with its ``_BASE_`` chain merged (no detectron2).

    Args:
        path (str): The YAML file.

    Returns:
        dict: The merged config.
    """
    with open(path) as f:
        cfg = yaml.safe_load(f) or {}
    base = cfg.pop('_BASE_', None)
    if base is None:
        return cfg
    merged = load_d2_yaml(osp.join(osp.dirname(path), base))
    _merge(merged, cfg)
    return merged


def _merge(into: dict, update: Mapping) -> None:
    """Recursive dict update (detectron2's ``merge_from_file`` semantics)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def check_d2_config(cfg: Mapping, depth: int = 50) -> None:
    """Raise unless a merged detectron2 config fits our exported weights.

    Args:
        cfg (Mapping): From :func:`load_d2_yaml`.
        depth (int): ResNet depth of the weights. Defaults to 50.

    Raises:
        ValueError: Listing every problem found.
    """
    model = cfg.get('MODEL', {})
    resnets = model.get('RESNETS', {})
    problems = []
    expected = {
        'MODEL.PIXEL_MEAN': (model.get('PIXEL_MEAN'), list(PIXEL_MEAN)),
        'MODEL.PIXEL_STD': (model.get('PIXEL_STD'), list(PIXEL_STD)),
        'INPUT.FORMAT': (cfg.get('INPUT', {}).get('FORMAT'), 'RGB'),
        'MODEL.RESNETS.STRIDE_IN_1X1': (resnets.get('STRIDE_IN_1X1'), False),
        'MODEL.RESNETS.NORM': (resnets.get('NORM'), 'SyncBN'),
        'MODEL.RESNETS.DEPTH': (resnets.get('DEPTH', 50), depth),
        'MODEL.BACKBONE.FREEZE_AT': (model.get('BACKBONE', {}).get(
            'FREEZE_AT'), 0),
    }
    for key, (got, want) in expected.items():
        if got != want:
            problems.append(f'{key}={got!r}, expected {want!r}')
    if problems:
        raise ValueError('detectron2 config does not fit the pretrained '
                         'weights:\n  ' + '\n  '.join(problems))
