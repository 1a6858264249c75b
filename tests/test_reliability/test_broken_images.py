# Copyright (c) mmpixpro contributors. All rights reserved.
"""Odd and broken image files, and missing/empty data roots."""
import io
import os.path as osp

import numpy as np
import pytest
from mmengine.runner import Runner
from PIL import Image
from pixpro_testing import (demo_cfg, last_run_rows, load_train_tool,
                            read_log)

from mmpixpro.registry import RUNNERS

BROKEN = ('truncated.jpg', 'empty.jpg', 'text.jpg')


def _gradient(h, w):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1),
                     np.full_like(xx, 90)], -1).astype(np.uint8)


def make_corpus(folder, huge=True):
    """Every odd case of the issue; returns {name: expected (H, W)}."""
    folder.mkdir(parents=True)
    rgb = Image.fromarray(_gradient(60, 80))
    buf = io.BytesIO()
    rgb.save(buf, 'JPEG')
    (folder / 'truncated.jpg').write_bytes(buf.getvalue()[:300])
    (folder / 'empty.jpg').write_bytes(b'')
    (folder / 'text.jpg').write_text('this is not an image\n')
    rgb.convert('L').save(folder / 'gray.jpg')
    rgb.convert('CMYK').save(folder / 'cmyk.jpg')
    rgb.convert('P').save(folder / 'palette.png')
    rgb.convert('RGBA').save(folder / 'rgba.png')
    Image.fromarray((_gradient(60, 80)[..., 0].astype(np.uint16) * 257),
                    ).save(folder / 'deep16.png')
    Image.new('RGB', (1, 1), (10, 200, 30)).save(folder / 'tiny.png')
    if huge:
        Image.new('RGB', (8000, 8000), (120, 60, 30)).save(folder / 'huge.png')
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    rgb.save(folder / 'rotated.jpg', exif=exif)
    rgb.save(folder / 'UPPER.JPG')
    shapes = {'gray.jpg': (60, 80), 'cmyk.jpg': (60, 80), 'palette.png':
              (60, 80), 'rgba.png': (60, 80), 'deep16.png': (60, 80),
              'tiny.png': (1, 1), 'rotated.jpg': (80, 60),
              'UPPER.JPG': (60, 80)}
    return {**shapes, 'huge.png': (8000, 8000)} if huge else shapes


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    """The corpus to train on (the 8000x8000 file only slows training)."""
    root = tmp_path_factory.mktemp('corpus') / 'images'
    return root, make_corpus(root / 'odd', huge=False)


def test_decodable_files_become_rgb(tmp_path):
    from mmpixpro.datasets.transforms import LoadRGBImageFromFile
    root = tmp_path / 'images'
    expected = make_corpus(root / 'odd')
    load = LoadRGBImageFromFile(min_size=1)
    for name, shape in expected.items():
        img = load(dict(img_path=str(root / 'odd' / name)))['img']
        assert img.dtype == np.uint8 and img.shape == (*shape, 3), name
    gray = load(dict(img_path=str(root / 'odd' / 'deep16.png')))['img']
    assert gray[0, -1].tolist() == [255, 255, 255]  # 65535 -> 255


def test_image_smaller_than_the_crop_grid_is_refused(tmp_path):
    from mmpixpro.datasets.transforms import (ImageDecodeError,
                                              ImageTooSmallError,
                                              LoadRGBImageFromFile)
    for w, h in ((1, 1), (6, 300), (300, 6)):
        Image.new('RGB', (w, h)).save(tmp_path / f'{w}x{h}.png')
        with pytest.raises(ImageTooSmallError, match=f'{w}x{h} px, below '
                           'min_size=7') as err:
            LoadRGBImageFromFile()(dict(img_path=str(tmp_path /
                                                     f'{w}x{h}.png')))
        assert isinstance(err.value, ImageDecodeError)  # skipped, counted
    Image.new('RGB', (7, 7)).save(tmp_path / 'ok.png')
    out = LoadRGBImageFromFile()(dict(img_path=str(tmp_path / 'ok.png')))
    assert out['img'].shape == (7, 7, 3)


def _corpus_cfg(root, work_dir, max_fraction):
    cfg = demo_cfg(root, work_dir, max_epochs=1, batch_size=1)
    cfg.train_dataloader.num_workers = 2  # counts travel from the workers
    cfg.default_hooks.broken_images = dict(
        type='BrokenImageHook', max_fraction=max_fraction)
    return cfg


@pytest.mark.slow
def test_training_skips_counts_and_names_broken_files(corpus, tmp_path):
    root, expected = corpus
    runner = RUNNERS.build(_corpus_cfg(root, tmp_path / 'w', 0.5))
    runner.train()
    assert runner.iter == len(expected) + len(BROKEN)
    skipped = [str(root / 'odd' / n) for n in BROKEN] + [
        f"{root / 'odd' / 'tiny.png'} (1x1 px, below min_size=7)"]
    rows = last_run_rows(tmp_path / 'w')
    assert rows[-1]['broken_images'] == len(skipped)
    log = read_log(tmp_path / 'w')
    assert log.count('Skipped an unusable image: ') == len(skipped)
    for entry in skipped:
        assert entry in log
    assert sorted(runner.message_hub.get_info('broken_images')) == sorted(
        skipped)


@pytest.mark.slow
def test_too_many_broken_files_stop_the_run(corpus, tmp_path):
    from mmpixpro.engine.hooks import TooManyBrokenImagesError
    root, _ = corpus
    runner = RUNNERS.build(_corpus_cfg(root, tmp_path / 'w', 0.1))
    with pytest.raises(TooManyBrokenImagesError, match='max_fraction=0.1'):
        runner.train()


@pytest.mark.parametrize('case', ['missing', 'empty'])
def test_bad_data_root_fails_before_the_model_is_built(
        case, tmp_path, monkeypatch):
    root = tmp_path / 'data'
    if case == 'empty':
        (root / 'sub').mkdir(parents=True)
        (root / 'sub' / 'notes.txt').write_text('no images here')
    tool = load_train_tool()

    def no_model(*args, **kwargs):
        raise AssertionError('the model was built before the data check')

    monkeypatch.setattr(Runner, 'build_model', no_model)
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--cfg-options',
        f'train_dataloader.dataset.data_root={root}'
    ])
    with pytest.raises(FileNotFoundError) as err:
        tool.main()
    assert str(root) in str(err.value)
    assert ('does not exist' if case == 'missing' else 'holds no image') \
        in str(err.value)


def test_listing_follows_no_link_loop_and_lists_each_file_once(tmp_path):
    from mmpixpro.datasets import UnlabeledImageFolder
    root = tmp_path / 'data'
    (root / 'a' / 'b').mkdir(parents=True)
    for name in ('a/1.jpg', 'a/b/2.jpg'):
        Image.new('RGB', (16, 16)).save(root / name)
    (root / 'a' / 'b' / 'loop').symlink_to(root / 'a')  # a/b/loop -> a
    (root / 'again').symlink_to(root / 'a')  # a second way into a
    (root / 'a' / 'same.jpg').symlink_to(root / 'a' / '1.jpg')
    dataset = UnlabeledImageFolder(data_root=str(root), lazy_init=False)
    assert len(dataset) == 2
    names = sorted(osp.basename(dataset.get_data_info(i)['img_path'])
                   for i in range(2))
    assert names == ['1.jpg', '2.jpg']


def test_gif_files_are_counted_in_the_log(tmp_path):
    from mmengine.logging import MMLogger

    from mmpixpro.datasets import UnlabeledImageFolder
    root = tmp_path / 'data'
    root.mkdir()
    Image.new('RGB', (16, 16)).save(root / 'still.png')
    for i in range(3):
        Image.new('P', (16, 16)).save(root / f'anim{i}.GIF')
    logger = MMLogger.get_instance('gif_test', log_file=str(tmp_path / 'l'))
    dataset = UnlabeledImageFolder(data_root=str(root), lazy_init=False)
    assert len(dataset) == 1
    text = (tmp_path / 'l').read_text()
    assert '3 .gif file(s) under ' in text and str(root) in text
    assert 'are not read' in text
    assert "add '.gif' to the dataset's extensions" in text
    assert logger is MMLogger.get_current_instance()
    with_gif = UnlabeledImageFolder(
        data_root=str(root), extensions=('.png', '.gif'), lazy_init=False)
    assert len(with_gif) == 4
