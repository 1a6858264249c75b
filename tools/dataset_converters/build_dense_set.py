# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build the dense labelled set: real cut-outs pasted on real photographs.

* Cut-outs: the photographic stamps of the Debian package
  ``tuxpaint-stamps-default`` (alpha channel = exact object mask), fetched
  with ``apt-get download`` + ``dpkg -x`` through ``build_demo_set``'s cache.
  Drawings and renders are dropped by rule (an ``.svg`` sibling, a
  ``cartoon``/``toys`` folder, a ``_mirror`` copy) and by an explicit list;
  the folder gives the class (11 classes + background). The rules, the
  sources and the pasting are :mod:`mmpixpro.demo_data.cutouts`.
* Backgrounds: the photographs of the demo set's sources (scikit-image,
  opencv-doc, tuxpaint-data templates, palapeli-data, mate-backgrounds).
* Splits: cut-outs are split per class and backgrounds as a whole, so train
  and test share no cut-out and no background (fixed seed).
* Sequences: test cut-outs moving along straight paths over consecutive real
  video frames, with exact masks per frame (DAVIS layout).

Without apt (``--no-apt`` or no package lists) a smaller set is built from
the pip packages only: the "cut-outs" are elliptic patches of
scikit-image photographs (class = source photo), pasted on other photos.

Output (VOC layout, read by ``mmpixpro.evaluation.DenseSegDataset``)::

    <out>/JPEGImages/*.jpg  SegmentationClass/*.png  classes.json
    <out>/SegmentationObject/*.png   (instance ids 1, 2, ... as pasted)
    <out>/ImageSets/Segmentation/{train,test}.txt
    <out>/sequences/JPEGImages/<seq>/*.jpg  sequences/Annotations/<seq>/*.png
    <out>/MANIFEST.json   (version, options, sources, splits)

Example::

    python tools/dataset_converters/build_dense_set.py --out data/dense
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np

# the cut-outs, their compositing and the sources live in the package
# (shared with build_cls_demo_set.py)
from mmpixpro.demo_data import (Cutout, Spec, compose, gather_sources,
                                iter_video_frames, load_cutout,
                                manifest_matches, paste, random_square,
                                scaled_cutout, split_cutouts, split_items)

VERSION = 2  # 2: SegmentationObject instance maps


def save_pair(image: np.ndarray, label: np.ndarray, img_path: str,
              label_path: str) -> None:
    """Write JPEG image (quality 95) and PNG label (grey ids)."""
    from PIL import Image
    os.makedirs(osp.dirname(img_path), exist_ok=True)
    save_label(label, label_path)
    Image.fromarray(image).save(img_path, quality=95)


def save_label(label: np.ndarray, path: str) -> None:
    """Write a label or instance map as a grey uint8 PNG."""
    from PIL import Image
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(label.astype(np.uint8)).save(path)


def build_split(out: str, split: str, count: int, cutouts: List[Cutout],
                backgrounds: List, size: int, max_objects: int,
                rng: np.random.Generator) -> List[str]:
    """Write ``count`` composites of one split; returns their ids."""
    from PIL import Image
    cache = {}
    ids = []
    for index in range(count):
        bg = backgrounds[int(rng.integers(len(backgrounds)))]
        with Image.open(bg.path) as photo:
            background = random_square(photo.convert('RGB'), size, rng)
        chosen = rng.choice(len(cutouts), int(rng.integers(1, max_objects
                                                           + 1)))
        items = []
        for i in chosen:
            if cutouts[i].name not in cache:
                cache[cutouts[i].name] = load_cutout(cutouts[i])
            items.append((cache[cutouts[i].name], cutouts[i].label))
        image, label, objects = compose(background, items, rng)
        name = f'{split}_{index:04d}'
        save_pair(image, label, osp.join(out, 'JPEGImages', f'{name}.jpg'),
                  osp.join(out, 'SegmentationClass', f'{name}.png'))
        save_label(objects, osp.join(out, 'SegmentationObject',
                                     f'{name}.png'))
        ids.append(name)
    list_file = osp.join(out, 'ImageSets', 'Segmentation', f'{split}.txt')
    os.makedirs(osp.dirname(list_file), exist_ok=True)
    with open(list_file, 'w') as f:
        f.write('\n'.join(ids) + '\n')
    return ids


def build_sequence(out: str, name: str, frames: Sequence[np.ndarray],
                   cutouts: Sequence[np.ndarray],
                   rng: np.random.Generator) -> None:
    """Move cut-outs along straight paths over frames; exact masks.

    Object ids are 1..len(cutouts) in paste order (later ones on top).
    """
    size = frames[0].shape[0]
    paths = []
    for rgba in cutouts:
        cut = scaled_cutout(rgba, int(size * rng.uniform(0.3, 0.5)), False)
        start = rng.uniform(0, size - np.array(cut.shape[1::-1]))
        end = rng.uniform(0, size - np.array(cut.shape[1::-1]))
        paths.append((cut, start, end))
    for t, frame in enumerate(frames):
        image = frame.astype(np.float64)
        label = np.zeros(frame.shape[:2], dtype=np.int64)
        for obj, (cut, start, end) in enumerate(paths, start=1):
            x, y = start + (end - start) * t / max(1, len(frames) - 1)
            paste(image, label, cut, obj, int(round(x)), int(round(y)))
        save_pair(np.clip(image + 0.5, 0, 255).astype(np.uint8), label,
                  osp.join(out, 'JPEGImages', name, f'{t:05d}.jpg'),
                  osp.join(out, 'Annotations', name, f'{t:05d}.png'))


def video_clips(specs: Sequence[Spec], num: int, length: int,
                step: int, size: int) -> List[List[np.ndarray]]:
    """``num`` clips of ``length`` consecutive frames (every ``step``-th),
    centre-cropped to squares, spread over the videos."""
    clips = []
    per_video = -(-num // max(1, len(specs)))
    for spec in specs:
        frames = [np.asarray(f) for _, f in iter_video_frames(
            spec.path, step, per_video * length)]
        for c in range(per_video):
            clip = frames[c * length:(c + 1) * length]
            if len(clip) == length and len(clips) < num:
                clips.append([centre_square(f, size) for f in clip])
    return clips


def centre_square(frame: np.ndarray, size: int) -> np.ndarray:
    """Centre square crop resized to ``size``."""
    from PIL import Image
    h, w = frame.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = Image.fromarray(frame[top:top + side, left:left + side])
    return np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR))


def build_dense_set(out: str, sources: Dict, options: Dict) -> Dict:
    """Write the whole set and its manifest.

    Args:
        out (str): Output folder (replaced).
        sources (dict): From
            :func:`~mmpixpro.demo_data.cutouts.gather_sources`.
        options (dict): ``seed``, ``size``, ``num_train``, ``num_test``,
            ``test_fraction``, ``max_objects``, ``num_sequences``,
            ``sequence_length``, ``frame_step``.

    Returns:
        dict: The manifest.
    """
    rng = np.random.default_rng(options['seed'])
    cut_train, cut_test = split_cutouts(sources['cutouts'],
                                        options['test_fraction'], rng)
    bg_train, bg_test = split_items(sources['photos'],
                                    options['test_fraction'], rng)
    if not cut_test or not bg_test:
        raise RuntimeError('too few cut-outs or backgrounds to split')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for split, cuts, bgs, count in (('train', cut_train, bg_train,
                                     options['num_train']),
                                    ('test', cut_test, bg_test,
                                     options['num_test'])):
        build_split(out, split, count, cuts, bgs, options['size'],
                    options['max_objects'], rng)
    clips = video_clips(sources['videos'], options['num_sequences'],
                        options['sequence_length'], options['frame_step'],
                        options['size'])
    for index, clip in enumerate(clips):
        chosen = rng.choice(len(cut_test), 2, replace=False)
        build_sequence(osp.join(out, 'sequences'), f'seq{index:02d}', clip,
                       [load_cutout(cut_test[i]) for i in chosen], rng)
    with open(osp.join(out, 'classes.json'), 'w') as f:
        json.dump(dict(classes=sources['classes']), f, indent=1)
    manifest = dict(
        version=VERSION, options=options, mode=sources['mode'],
        classes=sources['classes'],
        cutouts=dict(train=sorted(c.name for c in cut_train),
                     test=sorted(c.name for c in cut_test)),
        backgrounds=dict(train=sorted(b.origin for b in bg_train),
                         test=sorted(b.origin for b in bg_test)),
        videos=[v.origin for v in sources['videos']],
        num_sequences=len(clips))
    with open(osp.join(out, 'MANIFEST.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    return manifest


def is_up_to_date(out: str, options: Dict) -> bool:
    """Whether ``out`` holds a set of this version and these options."""
    return manifest_matches(out, VERSION, options) is not None


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/dense', help='output folder')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=256,
                        help='side of the square images')
    parser.add_argument('--num-train', type=int, default=300)
    parser.add_argument('--num-test', type=int, default=150)
    parser.add_argument('--test-fraction', type=float, default=0.3,
                        help='share of cut-outs/backgrounds kept for test')
    parser.add_argument('--max-objects', type=int, default=3)
    parser.add_argument('--num-sequences', type=int, default=8)
    parser.add_argument('--sequence-length', type=int, default=12)
    parser.add_argument('--frame-step', type=int, default=2)
    parser.add_argument('--no-apt', action='store_true',
                        help='pip packages only (smaller fallback set)')
    parser.add_argument('--cache-dir', default=None,
                        help='Debian cache (default: <out>/../'
                        '.demo_deb_cache, shared with the demo set)')
    parser.add_argument('--force', action='store_true')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Build the dense set from the command line; returns the exit code."""
    args = parse_args(argv)
    options = dict(seed=args.seed, size=args.size, num_train=args.num_train,
                   num_test=args.num_test, test_fraction=args.test_fraction,
                   max_objects=args.max_objects,
                   num_sequences=args.num_sequences,
                   sequence_length=args.sequence_length,
                   frame_step=args.frame_step, apt=not args.no_apt)
    if not args.force and is_up_to_date(args.out, options):
        print(f'dense set up to date in {args.out}')
        return 0
    start = time.time()
    cache_dir = args.cache_dir or osp.join(
        osp.dirname(osp.abspath(args.out)), '.demo_deb_cache')
    sources = gather_sources(not args.no_apt, cache_dir)
    manifest = build_dense_set(args.out, sources, options)
    print(f'dense set ({manifest["mode"]}): {len(manifest["classes"])} '
          f'classes, cut-outs {len(manifest["cutouts"]["train"])}/'
          f'{len(manifest["cutouts"]["test"])}, backgrounds '
          f'{len(manifest["backgrounds"]["train"])}/'
          f'{len(manifest["backgrounds"]["test"])} (train/test), '
          f'{manifest["num_sequences"]} sequences, '
          f'{time.time() - start:.1f} s -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
