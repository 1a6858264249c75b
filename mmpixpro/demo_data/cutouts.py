# Copyright (c) mmpixpro contributors. All rights reserved.
"""Real cut-outs pasted on real photographs: the sources and the
compositing shared by the labelled demo builders
(``tools/dataset_converters/build_dense_set.py`` and
``build_cls_demo_set.py``).

* Cut-outs: the photographic stamps of the Debian package
  ``tuxpaint-stamps-default`` (alpha channel = exact object mask). Drawings
  and renders are dropped by rule (an ``.svg`` sibling, a
  ``cartoon``/``toys`` folder, a ``_mirror`` copy) and by an explicit list;
  the folder gives the class (:data:`CLASS_PREFIXES`, 11 classes +
  background).
* Without apt: elliptic patches of scikit-image photographs (class = source
  photo), two per photo.
* Backgrounds: the other photographs of :func:`~.sources.collect_specs`.

PIL is imported inside the functions that need it, as in
:mod:`.sources`, so that importing this module stays cheap.
"""
import glob
import os.path as osp
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .sources import Spec, collect_specs, fetch_deb

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

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
# scikit-image colour photos whose patches are the pip-only cut-outs
PATCH_PHOTOS = ('astronaut', 'chelsea', 'coffee', 'rocket',
                'motorcycle_left', 'coins', 'hubble_deep_field')


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
    """Class of a stamp, by its folder.

    Args:
        rel (str): Stamp path relative to :data:`STAMPS_ROOT`.

    Returns:
        str | None: A key of :data:`CLASS_PREFIXES`, or None for an
        excluded stamp or one outside every class folder.
    """
    if rel in EXCLUDED_STAMPS or any(p in rel for p in EXCLUDED_PARTS):
        return None
    for name, prefixes in CLASS_PREFIXES.items():
        if rel.startswith(prefixes):
            return name
    return None


def stamp_cutouts(root: str, classes: Sequence[str]) -> List[Cutout]:
    """Photographic stamps under an unpacked package tree.

    A stamp is kept when it has a class, no ``.svg`` sibling (a render),
    an alpha band and a short side of at least :data:`MIN_CUTOUT_SIDE`.

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
        specs (Sequence[Spec]): Photos (one class each, ids from 1).

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
    """Read a cut-out's pixels.

    Args:
        cutout (Cutout): A stamp (its own alpha) or a photo patch (an
            ellipse inscribed in ``box`` is opaque, the rest transparent).

    Returns:
        np.ndarray: RGBA uint8 (H, W, 4).
    """
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
    """Split cut-outs per class with :func:`split_items`.

    Classes are taken in increasing label order; a class with a single
    cut-out goes to train.

    Args:
        cutouts (Sequence[Cutout]): All cut-outs.
        test_fraction (float): Share of each class on the test side.
        rng (np.random.Generator): Seeded generator.

    Returns:
        tuple[list, list]: ``(train, test)`` cut-outs.
    """
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


def random_square(photo: 'PILImage.Image', size: int,
                  rng: np.random.Generator) -> np.ndarray:
    """A random square crop of a photo, resized.

    Args:
        photo (PIL.Image.Image): RGB photo.
        size (int): Side of the result.
        rng (np.random.Generator): Seeded generator (side, then left and
            top).

    Returns:
        np.ndarray: (size, size, 3) uint8; the crop's side is at least
        half the photo's short side.
    """
    from PIL import Image
    w, h = photo.size
    side = int(rng.integers(min(w, h) // 2, min(w, h) + 1))
    left, top = int(rng.integers(0, w - side + 1)), int(
        rng.integers(0, h - side + 1))
    crop = photo.crop((left, top, left + side, top + side))
    return np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR))


def scaled_cutout(rgba: np.ndarray, long_side: int,
                  flip: bool) -> np.ndarray:
    """Resize a cut-out to a long side (and mirror it if asked).

    Args:
        rgba (np.ndarray): (h, w, 4) uint8 cut-out.
        long_side (int): Target length of its longer side.
        flip (bool): Mirror left-right.

    Returns:
        np.ndarray: The resized (h', w', 4) uint8 cut-out.
    """
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


def gather_sources(use_apt: bool, cache_dir: str) -> Dict:
    """Cut-outs, class names, background photos and videos.

    With apt and the stamps package, the cut-outs are the stamps
    (``mode='stamps'``); otherwise two elliptic patches of each of
    :data:`PATCH_PHOTOS` (``mode='pip-patches'``), and those photos are
    not backgrounds.

    Args:
        use_apt (bool): Try the Debian packages.
        cache_dir (str): Cache of :func:`~.sources.fetch_deb`.

    Returns:
        dict: ``classes`` (index 0 = background), ``cutouts``
        (list[Cutout]), ``photos`` and ``videos`` (list[Spec]), ``mode``.
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
    colour = [s for s in photos
              if s.source == 'skimage' and s.name in PATCH_PHOTOS]
    classes = ['background'] + [s.name for s in colour]
    rest = [s for s in photos if s not in colour]
    return dict(classes=classes, cutouts=photo_patch_cutouts(colour),
                photos=rest, videos=videos, mode='pip-patches')
