# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build the dense labelled set: real cut-outs pasted on real photographs.

* Cut-outs: the photographic stamps of the Debian package
  ``tuxpaint-stamps-default`` (alpha channel = exact object mask), fetched
  with ``apt-get download`` + ``dpkg -x`` through ``build_demo_set``'s cache.
  Drawings and renders are dropped by rule (an ``.svg`` sibling, a
  ``cartoon``/``toys`` folder, a ``_mirror`` copy) and by an explicit list;
  the folder gives the class (:data:`CLASS_PREFIXES`, 11 classes +
  background).
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
import glob
import json
import os
import os.path as osp
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmpixpro.demo_data import (Spec, collect_specs, fetch_deb,
                                iter_video_frames, manifest_matches)

VERSION = 2  # 2: SegmentationObject instance maps
STAMPS_PACKAGE = 'tuxpaint-stamps-default'
STAMPS_ROOT = 'usr/share/tuxpaint/stamps'
STAMPS_PATTERNS = [
    f'{STAMPS_ROOT}/{"*/" * d}*.{ext}' for d in range(1, 5)
    for ext in ('png', 'svg')
]
# class name -> stamp folders (relative to the stamps root)
CLASS_PREFIXES = {
    'bird': ('animals/birds/', ),
    'mammal': ('animals/mammals/', 'animals/marsupials/'),
    'insect': ('animals/insects/', ),
    'fruit': ('food/fruit/', 'food/nuts/'),
    'vegetable': ('food/vegetables/', 'plants/mushrooms/'),
    'flower': ('plants/flowers/', ),
    'tree': ('plants/trees/', ),
    'instrument': ('hobbies/music/', ),
    'tool': ('household/tools/', ),
    'vehicle': ('vehicles/', 'military/vehicles/'),
    'coin': ('symbols/money/', ),
}
EXCLUDED_PARTS = ('/cartoon/', '/toys/', '_mirror')
# drawings/renders (or a wrong class) that the rules above let through
EXCLUDED_STAMPS = (
    'animals/insects/fly.png', 'animals/insects/xanthia.png',
    'animals/insects/Woodlouse.png', 'animals/insects/Brown_slug.png',
    'animals/mammals/hedgehog.png', 'animals/mammals/echidna.png',
    'vehicles/7spoke256.png', 'plants/trees/rambutan.png',
    'plants/trees/pinecone.png', 'plants/trees/holly_leaves.png')
MIN_CUTOUT_SIDE = 64
ALPHA_THRESHOLD = 128  # label = cut-out where alpha >= 128 (of 255)


@dataclass(frozen=True)
class Cutout:
    """One RGBA cut-out.

    Attributes:
        name (str): Unique name (origin-relative path).
        path (str): PNG file (RGBA), or a photo for elliptic patches.
        label (int): Class id (>= 1).
        box (tuple): Optional (left, top, right, bottom) patch of a photo,
            cut with an elliptic alpha (pip-only fallback).
    """
    name: str
    path: str
    label: int
    box: Tuple[int, ...] = ()


def stamp_class(rel: str) -> Optional[str]:
    """Class of a stamp path (relative to the stamps root), or None."""
    if rel in EXCLUDED_STAMPS or any(p in rel for p in EXCLUDED_PARTS):
        return None
    for name, prefixes in CLASS_PREFIXES.items():
        if rel.startswith(prefixes):
            return name
    return None


def stamp_cutouts(root: str, classes: Sequence[str]) -> List[Cutout]:
    """Photographic stamps under an unpacked package tree.

    Args:
        root (str): Unpacked (cached) package root.
        classes (Sequence[str]): Class names; id = index (0 = background).

    Returns:
        list[Cutout]: Sorted by name.
    """
    from PIL import Image
    base = osp.join(root, STAMPS_ROOT)
    cutouts = []
    for path in sorted(glob.glob(osp.join(base, '**', '*.png'),
                                 recursive=True)):
        rel = osp.relpath(path, base)
        cls = stamp_class(rel)
        if cls is None or osp.exists(path[:-4] + '.svg'):
            continue
        with Image.open(path) as img:
            if 'A' not in img.getbands() or min(img.size) < MIN_CUTOUT_SIDE:
                continue
        cutouts.append(Cutout(rel, path, classes.index(cls)))
    return cutouts


def photo_patch_cutouts(specs: Sequence[Spec]) -> List[Cutout]:
    """Pip-only fallback: two elliptic patches per photo (class = photo).

    The left-half patch and the right-half patch are different cut-outs,
    so a split by cut-out keeps train and test pixels apart.

    Args:
        specs (Sequence[Spec]): Photos (one class each).

    Returns:
        list[Cutout]: Two per photo.
    """
    from PIL import Image
    cutouts = []
    for label, spec in enumerate(specs, start=1):
        with Image.open(spec.path) as img:
            w, h = img.size
        for side, x0 in (('l', w // 8), ('r', w // 2 + w // 8)):
            box = (x0, h // 4, x0 + w // 4 + w // 8, h * 3 // 4)
            cutouts.append(Cutout(f'{spec.name}_{side}', spec.path, label,
                                  box))
    return cutouts


def load_cutout(cutout: Cutout) -> np.ndarray:
    """RGBA uint8 (H, W, 4) of a cut-out (elliptic alpha for patches)."""
    from PIL import Image, ImageDraw
    with Image.open(cutout.path) as img:
        if not cutout.box:
            return np.asarray(img.convert('RGBA'))
        patch = img.convert('RGB').crop(cutout.box)
    alpha = Image.new('L', patch.size, 0)
    ImageDraw.Draw(alpha).ellipse([0, 0, patch.size[0] - 1,
                                   patch.size[1] - 1], fill=255)
    patch.putalpha(alpha)
    return np.asarray(patch)


def split_items(items: Sequence, test_fraction: float,
                rng: np.random.Generator) -> Tuple[list, list]:
    """Shuffle and split, at least one item on each side when possible.

    Args:
        items (Sequence): Items (in a fixed order).
        test_fraction (float): Share of the test side.
        rng (np.random.Generator): Seeded generator.

    Returns:
        tuple[list, list]: ``(train, test)``.
    """
    order = [items[i] for i in rng.permutation(len(items))]
    num_test = int(round(len(items) * test_fraction))
    if len(items) >= 2:
        num_test = min(max(num_test, 1), len(items) - 1)
    return order[num_test:], order[:num_test]


def split_cutouts(cutouts: Sequence[Cutout], test_fraction: float,
                  rng: np.random.Generator) -> Tuple[list, list]:
    """Split cut-outs per class (classes with one cut-out go to train)."""
    train, test = [], []
    for label in sorted({c.label for c in cutouts}):
        tr, te = split_items([c for c in cutouts if c.label == label],
                             test_fraction, rng)
        train += tr
        test += te
    return train, test


def paste(image: np.ndarray,
          label: np.ndarray,
          rgba: np.ndarray,
          class_id: int,
          x: int,
          y: int,
          objects: Optional[np.ndarray] = None,
          object_id: int = 0) -> None:
    """Alpha-blend a cut-out into ``image`` and write its mask, in place.

    Pixels with alpha >= :data:`ALPHA_THRESHOLD` take ``class_id`` (and
    ``object_id`` in ``objects``); parts outside the canvas are clipped.
    Later pastes are on top.

    Args:
        image (np.ndarray): (H, W, 3) float canvas.
        label (np.ndarray): (H, W) int64 label map.
        rgba (np.ndarray): (h, w, 4) uint8 cut-out.
        class_id (int): Label of its pixels.
        x (int): Column of its top-left corner (may be negative).
        y (int): Row of its top-left corner (may be negative).
        objects (np.ndarray, optional): (H, W) int64 instance map.
        object_id (int): Instance id written into ``objects``.
    """
    height, width = label.shape
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h,
                                                                   height)
    if x0 >= x1 or y0 >= y1:
        return
    part = rgba[y0 - y:y1 - y, x0 - x:x1 - x]
    alpha = part[..., 3:4].astype(np.float64) / 255.0
    image[y0:y1, x0:x1] = (alpha * part[..., :3] +
                           (1 - alpha) * image[y0:y1, x0:x1])
    opaque = part[..., 3] >= ALPHA_THRESHOLD
    label[y0:y1, x0:x1][opaque] = class_id
    if objects is not None:
        objects[y0:y1, x0:x1][opaque] = object_id


def random_square(photo, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random square crop (at least half the short side), resized."""
    from PIL import Image
    w, h = photo.size
    side = int(rng.integers(min(w, h) // 2, min(w, h) + 1))
    left, top = int(rng.integers(0, w - side + 1)), int(
        rng.integers(0, h - side + 1))
    crop = photo.crop((left, top, left + side, top + side))
    return np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR))


def scaled_cutout(rgba: np.ndarray, long_side: int,
                  flip: bool) -> np.ndarray:
    """Resize a cut-out to a long side (and mirror it if asked)."""
    from PIL import Image
    img = Image.fromarray(rgba)
    scale = long_side / max(img.size)
    img = img.resize((max(1, round(img.size[0] * scale)),
                      max(1, round(img.size[1] * scale))),
                     Image.Resampling.BILINEAR)
    out = np.asarray(img)
    return out[:, ::-1] if flip else out


def compose(background: np.ndarray, items: Sequence[Tuple[np.ndarray, int]],
            rng: np.random.Generator,
            scale: Tuple[float, float] = (0.35, 0.75)) -> Tuple:
    """Paste cut-outs at random sizes/positions on a background.

    Args:
        background (np.ndarray): (S, S, 3) uint8.
        items (Sequence[tuple]): ``(rgba, class_id)`` pairs, pasted in order.
        rng (np.random.Generator): Seeded generator.
        scale (tuple[float, float]): Long side range, share of S.

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: Image (S, S, 3) uint8,
        class label map (S, S) and instance map (S, S): object ``k`` (1,
        2, ... in paste order) where it is visible, 0 elsewhere.
    """
    size = background.shape[0]
    image = background.astype(np.float64)
    label = np.zeros(background.shape[:2], dtype=np.int64)
    objects = np.zeros_like(label)
    for object_id, (rgba, class_id) in enumerate(items, start=1):
        cut = scaled_cutout(rgba, int(size * rng.uniform(*scale)),
                            bool(rng.random() < 0.5))
        x = int(rng.integers(-cut.shape[1] // 4,
                             size - 3 * cut.shape[1] // 4 + 1))
        y = int(rng.integers(-cut.shape[0] // 4,
                             size - 3 * cut.shape[0] // 4 + 1))
        paste(image, label, cut, class_id, x, y, objects, object_id)
    return np.clip(image + 0.5, 0, 255).astype(np.uint8), label, objects


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


def gather_sources(use_apt: bool, cache_dir: str) -> Dict:
    """Cut-outs, class names, background photos and videos.

    Args:
        use_apt (bool): Try the Debian packages.
        cache_dir (str): Cache of
            :func:`~mmpixpro.demo_data.fetch_deb`.

    Returns:
        dict: ``classes``, ``cutouts``, ``photos``, ``videos``, ``mode``.
    """
    specs = collect_specs(use_apt, cache_dir)
    photos = [s for s in specs if s.kind == 'photo']
    videos = [s for s in specs if s.kind == 'video']
    root = fetch_deb(STAMPS_PACKAGE, STAMPS_PATTERNS,
                     cache_dir) if use_apt else None
    if root is not None:
        classes = ['background'] + list(CLASS_PREFIXES)
        return dict(classes=classes, cutouts=stamp_cutouts(root, classes),
                    photos=photos, videos=videos, mode='stamps')
    colour = [s for s in photos if s.source == 'skimage'
              and s.name in ('astronaut', 'chelsea', 'coffee', 'rocket',
                             'motorcycle_left', 'coins', 'hubble_deep_field')]
    classes = ['background'] + [s.name for s in colour]
    rest = [s for s in photos if s not in colour]
    return dict(classes=classes, cutouts=photo_patch_cutouts(colour),
                photos=rest, videos=videos, mode='pip-patches')


def build_dense_set(out: str, sources: Dict, options: Dict) -> Dict:
    """Write the whole set and its manifest.

    Args:
        out (str): Output folder (replaced).
        sources (dict): From :func:`gather_sources`.
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
