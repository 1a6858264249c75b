# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build the labelled classification demo set: one real cut-out per image.

The sources are the dense set's (:mod:`mmpixpro.demo_data.cutouts`, shared
with ``build_dense_set.py``: the photographic stamps of
``tuxpaint-stamps-default`` in 11 classes, pasted on the demo set's
photographs; without apt, elliptic patches of scikit-image photos, class =
photo). Each image holds exactly one cut-out of its class on a
random square of a background photo. Cut-outs are split per class and
backgrounds as a whole (fixed seed), so ``train`` and ``val`` share no
cut-out and no background.

Output (ImageNet layout, read by ``mmpixpro.evaluation.ClsDataset`` and by
mmpretrain's ``ImageNet`` / ``CustomDataset``)::

    <out>/train/<class>/*.jpg   <out>/val/<class>/*.jpg
    <out>/meta/{train,val}.txt  (``<class>/<file> <label>``, relative to
                                 the split folder: mmpretrain's ann_file)
    <out>/meta/classes.txt      (one class name a line, id = line index)
    <out>/MANIFEST.json         (version, options, classes, cut-outs and
                                 backgrounds of each split)

Example::

    python tools/dataset_converters/build_cls_demo_set.py --out data/cls_demo
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, List, Optional

import numpy as np

# the dense set's sources and compositing (build_dense_set.py uses them too)
from mmpixpro.demo_data import (compose, gather_sources, load_cutout,
                                manifest_matches, random_square,
                                split_cutouts, split_items)

VERSION = 1
SPLITS = ('train', 'val')


def build_split(out: str, split: str, per_class: int, cutouts: List,
                backgrounds: List, classes: List[str], options: Dict,
                rng: np.random.Generator) -> List[str]:
    """Write ``per_class`` images of every class; returns ann_file lines.

    Args:
        out (str): Output root.
        split (str): ``'train'`` or ``'val'``.
        per_class (int): Images per class.
        cutouts (list): The split's cut-outs
            (:class:`~mmpixpro.demo_data.Cutout`, label >= 1).
        backgrounds (list): The split's background photos (``Spec``).
        classes (list[str]): Class names of the demo set (dense label - 1).
        options (dict): ``size`` and ``scale`` (long side range of the
            cut-out, share of the side).
        rng (np.random.Generator): Seeded generator.

    Returns:
        list[str]: ``<class>/<file> <label>`` lines.
    """
    from PIL import Image
    cache, lines = {}, []
    for label, name in enumerate(classes):
        own = [c for c in cutouts if c.label == label + 1]
        if not own:
            raise RuntimeError(f'no {split} cut-out of class {name!r}')
        folder = osp.join(out, split, name)
        os.makedirs(folder, exist_ok=True)
        for index in range(per_class):
            cutout = own[int(rng.integers(len(own)))]
            if cutout.name not in cache:
                cache[cutout.name] = load_cutout(cutout)
            bg = backgrounds[int(rng.integers(len(backgrounds)))]
            with Image.open(bg.path) as photo:
                background = random_square(photo.convert('RGB'),
                                           options['size'], rng)
            image, _, _ = compose(background,
                                  [(cache[cutout.name], label + 1)], rng,
                                  tuple(options['scale']))
            file = f'{split}_{label:02d}_{index:04d}.jpg'
            Image.fromarray(image).save(osp.join(folder, file), quality=95)
            lines.append(f'{name}/{file} {label}')
    return lines


def build_cls_demo_set(out: str, sources: Dict, options: Dict) -> Dict:
    """Write the whole set and its manifest (``out`` is replaced).

    Args:
        out (str): Output folder.
        sources (dict): :func:`mmpixpro.demo_data.gather_sources`'s
            ``classes`` (index 0 = background), ``cutouts``, ``photos``,
            ``mode``.
        options (dict): ``seed``, ``size``, ``num_train``, ``num_val``
            (images per class), ``val_fraction`` (share of cut-outs and
            backgrounds kept for val), ``scale``.

    Returns:
        dict: The manifest.
    """
    rng = np.random.default_rng(options['seed'])
    cut_train, cut_val = split_cutouts(sources['cutouts'],
                                       options['val_fraction'], rng)
    bg_train, bg_val = split_items(sources['photos'],
                                   options['val_fraction'], rng)
    if not cut_val or not bg_val:
        raise RuntimeError('too few cut-outs or backgrounds to split')
    classes = list(sources['classes'][1:])  # no background class
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(osp.join(out, 'meta'))
    for split, cuts, bgs, count in (
            ('train', cut_train, bg_train, options['num_train']),
            ('val', cut_val, bg_val, options['num_val'])):
        lines = build_split(out, split, count, cuts, bgs, classes, options,
                            rng)
        with open(osp.join(out, 'meta', f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    with open(osp.join(out, 'meta', 'classes.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')
    manifest = dict(
        version=VERSION, options=options, mode=sources['mode'],
        classes=classes,
        cutouts=dict(train=sorted(c.name for c in cut_train),
                     val=sorted(c.name for c in cut_val)),
        backgrounds=dict(train=sorted(b.origin for b in bg_train),
                         val=sorted(b.origin for b in bg_val)))
    with open(osp.join(out, 'MANIFEST.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    return manifest


def is_up_to_date(out: str, options: Dict) -> bool:
    """Whether ``out`` holds a set of this version and these options."""
    return manifest_matches(out, VERSION, options) is not None


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/cls_demo',
                        help='output folder')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=160,
                        help='side of the square images')
    parser.add_argument('--num-train', type=int, default=20,
                        help='train images per class')
    parser.add_argument('--num-val', type=int, default=10,
                        help='val images per class')
    parser.add_argument('--val-fraction', type=float, default=0.3,
                        help='share of cut-outs/backgrounds kept for val')
    parser.add_argument('--scale', type=float, nargs=2, default=(0.7, 1.0),
                        help="cut-out long side range, share of the side")
    parser.add_argument('--no-apt', action='store_true',
                        help='pip packages only (smaller fallback set)')
    parser.add_argument('--cache-dir', default=None,
                        help='Debian cache (default: <out>/../'
                        '.demo_deb_cache, shared with the demo set)')
    parser.add_argument('--force', action='store_true')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Build the set from the command line; returns the exit code."""
    args = parse_args(argv)
    options = dict(seed=args.seed, size=args.size, num_train=args.num_train,
                   num_val=args.num_val, val_fraction=args.val_fraction,
                   scale=list(args.scale), apt=not args.no_apt)
    if not args.force and is_up_to_date(args.out, options):
        print(f'classification demo set up to date in {args.out}')
        return 0
    start = time.time()
    cache_dir = args.cache_dir or osp.join(
        osp.dirname(osp.abspath(args.out)), '.demo_deb_cache')
    sources = gather_sources(not args.no_apt, cache_dir)
    manifest = build_cls_demo_set(args.out, sources, options)
    print(f'classification demo set ({manifest["mode"]}): '
          f'{len(manifest["classes"])} classes x {args.num_train}/'
          f'{args.num_val} images, cut-outs '
          f'{len(manifest["cutouts"]["train"])}/'
          f'{len(manifest["cutouts"]["val"])}, backgrounds '
          f'{len(manifest["backgrounds"]["train"])}/'
          f'{len(manifest["backgrounds"]["val"])} (train/val), '
          f'{time.time() - start:.1f} s -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
