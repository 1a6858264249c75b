# Copyright (c) mmpixpro contributors. All rights reserved.
"""Hostile data sets: file lists that are too short, badly encoded or
duplicated, broken zip members, and trees that the tools must list as the
dataset does. Unit tests of each rule are in ``tests/test_datasets``."""
import logging
import os
from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub, MMLogger
from mmengine.runner import Runner
from pixpro_testing import load_tool, load_train_tool, make_images

from mmpixpro.datasets import (FileListError, UnlabeledImageFolder,
                               pack_zip_shards)
from mmpixpro.engine.hooks import BrokenImageHook

DATASET = 'train_dataloader.dataset'


def run_train_tool(tmp_path, monkeypatch, *options):
    """Run tools/train.py main() on the demo config; building the model is
    an error (the data check comes first)."""

    def no_model(*args, **kwargs):
        raise AssertionError('the model was built before the data check')

    monkeypatch.setattr(Runner, 'build_model', no_model)
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--cfg-options', 'train_dataloader.batch_size=4',
        'train_dataloader.drop_last=True', *options
    ])
    load_train_tool().main()


def test_file_list_smaller_than_a_batch_fails_before_the_model(
        tmp_path, monkeypatch):
    """Defect: with an ann_file the check was skipped, and the run ended in
    'AssertionError: epoch_length must be a positive integer'."""
    from mmpixpro.datasets import DatasetTooSmallError
    root = make_images(tmp_path / 'data', 3)
    ann = root / 'list.txt'
    # four lines, three images: a duplicate is counted once
    ann.write_text('img_0.jpg\nimg_1.jpg\nimg_2.jpg\nimg_0.jpg\n')
    with pytest.raises(DatasetTooSmallError) as err:
        run_train_tool(tmp_path, monkeypatch, f'{DATASET}.data_root={root}',
                       f'{DATASET}.ann_file=list.txt')
    msg = str(err.value)
    assert f"The training file list '{ann}' holds 3 images, fewer than " \
        'one batch' in msg
    assert 'batch_size=4 x 1 process(es)' in msg


def test_zip_shards_smaller_than_a_batch_fail_before_the_model(
        tmp_path, monkeypatch):
    from mmpixpro.datasets import DatasetTooSmallError
    images = make_images(tmp_path / 'images', 2)
    out = tmp_path / 'zip'
    pack_zip_shards(str(images), ['img_0.jpg', 'img_1.jpg'], str(out))
    with pytest.raises(DatasetTooSmallError) as err:
        run_train_tool(tmp_path, monkeypatch, f'{DATASET}.data_root={out}',
                       f'{DATASET}.ann_file=train.txt')
    assert f"file list '{out / 'train.txt'}' holds 2 images, fewer than " \
        'one batch' in str(err.value)


def test_non_utf8_file_list_fails_before_the_model_naming_the_line(
        tmp_path, monkeypatch):
    """Defect: a Latin-1 line raised a bare UnicodeDecodeError."""
    root = make_images(tmp_path / 'data', 4)
    ann = root / 'list.txt'
    ann.write_bytes(b'img_0.jpg\nimg_1.jpg\nimg_\xe9.jpg\nimg_3.jpg\n')
    with pytest.raises(FileListError,
                       match=f"file list '{ann}', line 3: not UTF-8"):
        run_train_tool(tmp_path, monkeypatch, f'{DATASET}.data_root={root}',
                       f'{DATASET}.ann_file=list.txt')


@pytest.fixture(scope='module')
def pack_tool():
    return load_tool('tools', 'dataset_converters', 'pack_zip.py')


def test_pack_zip_reads_lists_by_the_dataset_rules(pack_tool, tmp_path):
    """pack_zip.py reads --ann-file with the dataset's reader: a duplicate
    is packed once, a Latin-1 line is refused naming the line."""
    root = make_images(tmp_path / 'data', 2)
    ann = tmp_path / 'list.txt'
    ann.write_bytes(b'\xef\xbb\xbfimg_1.jpg\nimg_0.jpg\nimg_1.jpg\n')
    pack_tool.main([str(root), str(tmp_path / 'zip'), '--ann-file', str(ann)])
    assert (tmp_path / 'zip' / 'train.txt').read_text() == \
        'train-00000.zip@img_1.jpg\ntrain-00000.zip@img_0.jpg\n'
    ann.write_bytes(b'img_0.jpg\nimg_\xe9.jpg\n')
    with pytest.raises(SystemExit, match=f"'{ann}', line 2: not UTF-8"):
        pack_tool.main([str(root), str(tmp_path / 'zip2'), '--ann-file',
                        str(ann)])


def test_missing_zip_member_is_logged_with_its_reason(tmp_path):
    """Defect: a broken zip member was counted without its reason; the
    hook's log and count now name it."""
    images = make_images(tmp_path / 'images', 1)
    out = tmp_path / 'zip'
    pack_zip_shards(str(images), ['img_0.jpg'], str(out))
    (out / 'train.txt').write_text(
        'train-00000.zip@img_0.jpg\ntrain-00000.zip@img_9.jpg\n')
    dataset = UnlabeledImageFolder(
        data_root=str(out),
        ann_file='train.txt',
        pipeline=[
            dict(type='LoadRGBImageFromFile',
                 backend_args=dict(backend='zip')),
            dict(type='PackInputs')
        ])
    dataset.set_epoch(0, seed=0)
    runner = SimpleNamespace(
        message_hub=MessageHub.get_instance('hostile_zip_member'),
        logger=MMLogger.get_instance(
            'hostile_zip_member', log_file=str(tmp_path / 'log'),
            log_level=logging.WARNING),
        train_dataloader=SimpleNamespace(dataset=dataset))
    hook = BrokenImageHook(max_fraction=0.5)
    hook.before_train_iter(runner, 0, dict(
        data_samples=[dataset[1]['data_samples']]))
    archive = out / 'train-00000.zip'
    entry = (f"{archive}@img_9.jpg (no member 'img_9.jpg' in archive "
             f"'{archive}')")
    assert runner.message_hub.get_info('broken_images') == [entry]
    assert f'Skipped an unusable image: {entry}' in (tmp_path /
                                                    'log').read_text()


def test_every_tool_lists_the_images_the_dataset_lists(tmp_path, capsys):
    """Defect: a benchmark tool walked the tree itself, reading hidden
    files, links twice, link loops, and missing upper-case extensions."""
    root = make_images(tmp_path / 'data' / 'n', 2).parent
    os.rename(root / 'n' / 'img_1.jpg', root / 'n' / 'IMG_1.JPEG')
    make_images(root / '.cache', 1)
    (root / 'n' / '._img_0.jpg').write_bytes(b'AppleDouble, no JPEG')
    (root / 'n' / 'loop').symlink_to(root / 'n')
    (root / 'link.jpg').symlink_to(root / 'n' / 'img_0.jpg')
    (root / 'anim.gif').write_bytes(b'GIF89a')
    dataset = UnlabeledImageFolder(data_root=str(root))
    listed = [os.path.relpath(dataset.get_data_info(i)['img_path'], root)
              for i in range(len(dataset))]
    assert len(listed) == 2  # two real files
    load_tool('tools', 'dataset_converters', 'make_file_list.py').main(
        [str(root), str(tmp_path / 'list.txt')])
    assert (tmp_path / 'list.txt').read_text().split() == listed
    rows = load_tool('tools', 'analysis_tools', 'benchmark_decode.py').main(
        [str(root), '--sides', '0', '--repeats', '1'])
    assert len(rows) == 1
    assert f'2 JPEGs under {root}' in capsys.readouterr().out.splitlines()
