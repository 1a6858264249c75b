# Copyright (c) mmpixpro contributors. All rights reserved.
"""Shrink a benchmark config to the generated demo sets, for a CPU run.

The model, its losses, the data pipeline and the evaluator stay those of
the benchmark config; what changes is where the data lives, the image
scale (every resize scale, crop size and sliding window by one factor),
the schedule (a few iterations, evaluation at the end), batch size,
workers, and the learning rate (linear in the batch size). Detection
configs get the demo set's class names and class count. Needs neither
mmdet nor mmseg.
"""
import json
import os.path as osp
from typing import Any, Iterator, List, Mapping, MutableMapping, Optional

from mmengine.config import Config

# which keys hold image sizes, by the type of the node that has them
# (None: any node; 'slide': a sliding-window test_cfg)
SCALE_KEYS = {
    'scale': ('Resize', 'RandomResize'),
    'scales': ('RandomChoiceResize', ),
    'crop_size': None,
    'size': ('SegDataPreProcessor', ),
    'stride': ('slide', ),
}
DATA_PREFIX = 'data/'
BENCHMARK_BATCH = 16  # images per iteration of the benchmark recipes


def config_nodes(cfg: Any) -> Iterator[MutableMapping]:
    """Every mapping in a nested config (``Config`` or dicts)."""
    if isinstance(cfg, Config):
        cfg = cfg._cfg_dict
    if isinstance(cfg, MutableMapping):
        yield cfg
        for value in cfg.values():
            yield from config_nodes(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            yield from config_nodes(value)


def reference_side(cfg: Mapping) -> int:
    """The largest short side a config resizes images to.

    Args:
        cfg (Mapping): A benchmark config.

    Returns:
        int: e.g. 800 for the mmdet recipes, 1025 for Cityscapes.
    """
    sides = []
    for node in config_nodes(cfg):
        if node.get('type') in ('Resize', 'RandomResize'):
            sides.append(min(node['scale']))
        elif node.get('type') == 'RandomChoiceResize':
            sides += [min(s) for s in node['scales']]
    if not sides:
        raise ValueError('no Resize/RandomResize/RandomChoiceResize found')
    return max(sides)


def _scaled(value: Any, factor: float) -> Any:
    """Multiply an int, a pair or a list of pairs by ``factor``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(1, int(round(value * factor)))
    if isinstance(value, (list, tuple)):
        return type(value)(_scaled(v, factor) for v in value)
    return value


def _rescale(cfg: MutableMapping, factor: float) -> None:
    """Scale resize scales, crop sizes, preprocessor sizes, slide windows."""
    for node in config_nodes(cfg):
        kind = node.get('type', node.get('mode'))
        for key, kinds in SCALE_KEYS.items():
            if key in node and (kinds is None or kind in kinds):
                node[key] = _scaled(node[key], factor)


def _relocate(cfg: MutableMapping, data_root: str) -> None:
    """``data/...`` paths (data roots, annotation files) under data_root."""
    for node in config_nodes(cfg):
        for key in ('data_root', 'ann_file'):
            value = node.get(key)
            if isinstance(value, str) and value.startswith(DATA_PREFIX):
                node[key] = osp.join(data_root, value[len(DATA_PREFIX):])


def _dataloaders(cfg: MutableMapping) -> List[MutableMapping]:
    return [cfg[k] for k in ('train_dataloader', 'val_dataloader',
                             'test_dataloader') if cfg.get(k)]


def _set_classes(cfg: MutableMapping, classes: List[str]) -> None:
    """Detection: the demo classes in every dataset and head."""
    for loader in _dataloaders(cfg):
        for node in config_nodes(loader['dataset']):
            if 'pipeline' in node:
                node['metainfo'] = dict(classes=tuple(classes))
    for node in config_nodes(cfg['model']):
        if 'num_classes' in node:
            node['num_classes'] = len(classes)


def to_demo_scale(cfg: MutableMapping,
                  data_root: str,
                  side: int = 128,
                  iters: int = 4,
                  batch_size: int = 2,
                  lr_scale: Optional[float] = None) -> MutableMapping:
    """Edit a benchmark config in place for the demo sets.

    Args:
        cfg (MutableMapping): An mmdet/mmseg benchmark config (``Config``).
        data_root (str): Output of ``build_downstream_sets.py``.
        side (int): Short side that replaces the config's largest one;
            every scale, crop and window shrinks by the same factor.
        iters (int): Training iterations (evaluation after the last).
        batch_size (int): Images per iteration.
        lr_scale (float, optional): LR factor; defaults to
            ``batch_size / 16`` (the recipes' batch).

    Returns:
        MutableMapping: ``cfg``.
    """
    _rescale(cfg, side / reference_side(cfg))
    _relocate(cfg, data_root)
    if cfg['default_scope'] == 'mmdet':
        with open(osp.join(data_root, 'classes.json')) as f:
            _set_classes(cfg, json.load(f)['classes'][1:])
    for loader in _dataloaders(cfg):
        loader.update(num_workers=0, persistent_workers=False)
    cfg['train_dataloader']['batch_size'] = batch_size
    cfg['train_cfg'] = dict(type='IterBasedTrainLoop', max_iters=iters,
                            val_interval=iters)
    warmup = max(1, iters // 5)
    cfg['param_scheduler'] = [
        dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
             end=warmup),
        dict(type='MultiStepLR', by_epoch=False, begin=0, end=iters,
             milestones=[max(warmup, iters * 3 // 4)], gamma=0.1)
    ]
    optimizer = cfg['optim_wrapper']['optimizer']
    optimizer['lr'] *= (batch_size / BENCHMARK_BATCH
                        if lr_scale is None else lr_scale)
    for hook in cfg.get('custom_hooks', []):
        if hook['type'].endswith('PreciseBNHook'):
            hook.update(interval=iters, num_samples=4 * batch_size)
    hooks = cfg['default_hooks']
    hooks['checkpoint'].update(by_epoch=False, interval=iters,
                               max_keep_ckpts=1)
    hooks['logger'].update(interval=1)
    cfg['log_processor'] = dict(type='LogProcessor', window_size=1,
                                by_epoch=False)
    cfg['env_cfg'] = dict(cfg.get('env_cfg', {}), cudnn_benchmark=False)
    return cfg
