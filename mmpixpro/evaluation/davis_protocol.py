# Copyright (c) mmpixpro contributors. All rights reserved.
"""The DAVIS-2017 semi-supervised protocol by label propagation: J&F.

Pont-Tuset et al., "The 2017 DAVIS Challenge on Video Object Segmentation"
(https://arxiv.org/abs/1704.00675); scores as the benchmark's evaluation
(davisvideochallenge/davis2017-evaluation) computes them: per object, the
per-frame region J (IoU) and boundary F (:mod:`.boundary_f`) over frames
1..T-2; per object the Mean (mean over frames) and the Recall (fraction of
frames scoring > 0.5); ``J-Mean``, ``J-Recall``, ``F-Mean``, ``F-Recall``
are means over all objects of all sequences and
``J&F-Mean = (J-Mean + F-Mean) / 2``. The benchmark's Decay is not reported.

Layout (the real DAVIS-2017 trainval)::

    <root>/JPEGImages/480p/<seq>/00000.jpg ...
    <root>/Annotations/480p/<seq>/00000.png ...  (palette ids, 0 = bg)
    <root>/ImageSets/2017/val.txt                (one sequence a line)

A folder without ``480p`` or ``ImageSets`` (e.g. ``data/dense/sequences``)
is read as it is: every sequence, frames at their file size.
"""
import os.path as osp
import time
from typing import Dict, List, Mapping

import numpy as np
import torch
from torch import nn

from mmpixpro.registry import EVAL_PROTOCOLS
from .boundary_f import DAVIS_BOUND_TH
from .dense_dataset import VideoSequence, list_sequences
from .frozen_backbone import extract_features
from .label_propagation import PropagationConfig, evaluate_sequence
from .protocols import ProtocolResult

# Defaults of the 'davis' protocol (all overridable, all reported).
DAVIS_SETTINGS = dict(
    split='val', resolution='480p', stage='C4', topk=5, temperature=0.1,
    num_context=7, radius=12, bound_th=DAVIS_BOUND_TH, batch_size=8)


def davis_sequences(root: str, split: str = 'val',
                    resolution: str = '480p') -> List[str]:
    """Sequence names of a split: ``ImageSets/2017/<split>.txt`` when it
    exists, else every sequence folder.

    Args:
        root (str): DAVIS root.
        split (str): ``'train'`` or ``'val'``. Defaults to ``'val'``.
        resolution (str): Sub-folder of ``JPEGImages``. Defaults to 480p.

    Returns:
        list[str]: Names.
    """
    list_file = osp.join(root, 'ImageSets', '2017', f'{split}.txt')
    if osp.isfile(list_file):
        with open(list_file) as f:
            return [line.strip() for line in f if line.strip()]
    return list_sequences(root, resolution)


def object_statistics(per_frame: List[float]) -> Dict[str, float]:
    """Mean and Recall (fraction > 0.5) of one object's per-frame scores.

    Args:
        per_frame (list[float]): J or F of frames 1..T-2.

    Returns:
        dict: ``M`` and ``R``, NaN-aware as the benchmark.
    """
    values = np.asarray(per_frame, dtype=np.float64)
    return dict(M=float(np.nanmean(values)),
                R=float(np.nanmean(values > 0.5)))


def davis_summary(per_sequence: Mapping[str, Mapping[str, Dict]]
                  ) -> Dict[str, float]:
    """The benchmark's global table from per-frame scores, in percent.

    Args:
        per_sequence (Mapping): ``{seq: {'J': {obj: [..]}, 'F': {obj:
            [..]}}}`` (:func:`~mmpixpro.evaluation.sequence_jf`).

    Returns:
        dict: ``J&F-Mean``, ``J-Mean``, ``J-Recall``, ``F-Mean``,
        ``F-Recall`` (means over every object of every sequence, x 100).
    """
    stats = {'J': [], 'F': []}
    for scores in per_sequence.values():
        for measure in ('J', 'F'):
            stats[measure] += [object_statistics(v)
                               for v in scores[measure].values()]
    table = {}
    for measure in ('J', 'F'):
        table[f'{measure}-Mean'] = 100 * float(
            np.mean([s['M'] for s in stats[measure]]))
        table[f'{measure}-Recall'] = 100 * float(
            np.mean([s['R'] for s in stats[measure]]))
    table['J&F-Mean'] = (table['J-Mean'] + table['F-Mean']) / 2
    return {k: table[k] for k in ('J&F-Mean', 'J-Mean', 'J-Recall',
                                  'F-Mean', 'F-Recall')}


@EVAL_PROTOCOLS.register_module(name='davis')
def davis_protocol(backbone: nn.Module, data_root: str,
                   **settings) -> ProtocolResult:
    """DAVIS-2017 val J&F of label propagation on frozen features.

    Settings (defaults in ``DAVIS_SETTINGS``): ``split`` (val),
    ``resolution`` (480p; '' when the folder has no 480p sub-folder),
    ``stage`` (C4, stride 16: a 30 x 54 grid at 480p), the propagation's
    ``topk`` (5), ``temperature`` T (0.1), ``num_context`` previous frames
    (7, plus the first), ``radius`` (12 feature cells; None: whole frame),
    ``bound_th`` (0.008 of the diagonal: 8 px at 854 x 480) and
    ``batch_size`` of the feature extraction. Frames are read at their file
    size (480p), never resized.

    Args:
        backbone (nn.Module): The frozen backbone.
        data_root (str): The DAVIS root (or a DAVIS-style folder).
        **settings: Overrides of ``DAVIS_SETTINGS``.

    Returns:
        ProtocolResult: The table of :func:`davis_summary`; per-sequence
        J&F and per-object J/F means in ``extra``.
    """
    unknown = set(settings) - set(DAVIS_SETTINGS)
    if unknown:
        raise ValueError(f'unknown davis settings {sorted(unknown)}; '
                         f'known: {sorted(DAVIS_SETTINGS)}')
    cfg = dict(DAVIS_SETTINGS, **settings)
    if not osp.isdir(osp.join(data_root, 'JPEGImages', cfg['resolution'])):
        cfg['resolution'] = ''
    start = time.perf_counter()
    prop = PropagationConfig(cfg['topk'], cfg['temperature'],
                             cfg['num_context'], cfg['radius'])
    per_sequence, per_object = {}, {}
    names = davis_sequences(data_root, cfg['split'], cfg['resolution'])
    for name in names:
        frames, masks = VideoSequence(data_root, name,
                                      cfg['resolution']).load()
        feats = extract_features(backbone, list(frames), cfg['stage'],
                                 cfg['batch_size'])
        scores = evaluate_sequence(feats, torch.from_numpy(masks), prop,
                                   boundary=True, bound_th=cfg['bound_th'])
        per_sequence[name] = scores
        for o in scores['J']:
            per_object[f'{name}_{o}'] = dict(
                J=object_statistics(scores['J'][o])['M'],
                F=object_statistics(scores['F'][o])['M'])
    metrics = davis_summary(per_sequence)
    extra = dict(
        num_sequences=len(names), num_objects=len(per_object),
        per_object=per_object,
        per_sequence={
            n: davis_summary({n: s})['J&F-Mean']
            for n, s in per_sequence.items()
        })
    settings_out = dict(
        cfg, protocol_source='DAVIS-2017 semi-supervised val, '
        'davis2017-evaluation J/F definitions; propagation: first frame '
        'mask only, top-k of the first + previous frames')
    return ProtocolResult('davis', metrics, settings_out, data_root,
                          time.perf_counter() - start, extra)


# its settings with their defaults, for the command line (evaluate.py)
davis_protocol.default_settings = dict(DAVIS_SETTINGS)
