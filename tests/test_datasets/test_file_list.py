# Copyright (c) mmpixpro contributors. All rights reserved.
"""File lists (ann_file): reading, writing, and a dataset built on one."""
import os

import pytest
from pixpro_testing import write_image

from mmpixpro.datasets import (FileListError, UnlabeledImageFolder,
                               read_file_list, write_file_list)
from mmpixpro.datasets.image_folder import SKIPPED_KEY


def test_read_takes_first_token_and_skips_blank_lines(tmp_path):
    ann = tmp_path / 'list.txt'
    ann.write_text('n01/a.JPEG 0\n\n  \nn02/b.png\t7\nc.jpg\n')
    assert read_file_list(str(ann)) == ['n01/a.JPEG', 'n02/b.png', 'c.jpg']


def test_read_missing_list_names_it(tmp_path):
    missing = tmp_path / 'meta' / 'train.txt'
    with pytest.raises(FileNotFoundError, match=str(missing)):
        read_file_list(str(missing))


def test_write_then_read_round_trip(tmp_path):
    out = tmp_path / 'meta' / 'list.txt'  # the folder is created
    paths = ['b/x.jpg', 'a/y.PNG', 'z.jpeg']
    write_file_list(paths, str(out))
    assert out.read_text() == 'b/x.jpg\na/y.PNG\nz.jpeg\n'
    assert read_file_list(str(out)) == paths
    assert os.listdir(tmp_path / 'meta') == ['list.txt']  # no .tmp left


@pytest.mark.parametrize('bad', ['my photo.jpg', 'tab\tname.jpg',
                                 'line\nbreak.jpg', 'trailing.jpg '])
def test_write_refuses_white_space_naming_the_path(tmp_path, bad):
    out = tmp_path / 'list.txt'
    with pytest.raises(FileListError, match='1 image path'):
        write_file_list(['ok.jpg', bad], str(out))
    assert not out.exists()


def test_dataset_reads_list_relative_to_prefix(tmp_path):
    root = tmp_path / 'imagenet'
    for rel in ('train/n01/a.JPEG', 'train/n02/b.JPEG'):
        write_image(root / rel)
    (root / 'meta').mkdir()
    (root / 'meta' / 'train.txt').write_text(
        'n02/b.JPEG 1\nn01/a.JPEG 0\n')
    ds = UnlabeledImageFolder(
        data_root=str(root),
        data_prefix=dict(img_path='train/'),
        ann_file='meta/train.txt')
    # file order, not sorted order; paths joined to the image root
    assert [ds.get_data_info(i)['img_path'] for i in range(2)] == [
        str(root / 'train' / 'n02' / 'b.JPEG'),
        str(root / 'train' / 'n01' / 'a.JPEG')
    ]


def test_missing_ann_file_error_names_the_joined_path(tmp_path):
    write_image(tmp_path / 'a.png')
    with pytest.raises(FileNotFoundError,
                       match=str(tmp_path / 'meta' / 'nope.txt')):
        UnlabeledImageFolder(data_root=str(tmp_path),
                             ann_file='meta/nope.txt')


def test_empty_list_is_an_error_naming_it(tmp_path):
    (tmp_path / 'list.txt').write_text('\n\n')
    with pytest.raises(ValueError, match='list.txt'):
        UnlabeledImageFolder(data_root=str(tmp_path), ann_file='list.txt')


def test_listed_file_that_is_missing_is_skipped_and_counted(tmp_path):
    """Files of a list are not checked at start (a stat per file is what
    the list saves); a missing one is replaced like an undecodable one and
    reported to BrokenImageHook through the metainfo."""
    write_image(tmp_path / 'a.png', seed=1)
    (tmp_path / 'list.txt').write_text('a.png\ngone.png\n')
    ds = UnlabeledImageFolder(
        data_root=str(tmp_path),
        ann_file='list.txt',
        pipeline=[
            dict(type='LoadRGBImageFromFile'),
            dict(type='PackInputs', meta_keys=['img_path'])
        ])
    assert len(ds) == 2  # construction did not look at the files
    ds.set_epoch(0, seed=3)
    out = ds[1]
    sample = out['data_samples']
    assert sample.img_path == str(tmp_path / 'a.png')  # the replacement
    # the replacement may draw the missing file again before a good one
    skipped = sample.metainfo[SKIPPED_KEY]
    assert skipped and set(skipped) == {str(tmp_path / 'gone.png')}
    assert SKIPPED_KEY not in ds[0]['data_samples'].metainfo

