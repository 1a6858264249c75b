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



def test_read_drops_a_utf8_byte_order_mark(tmp_path):
    """Defect: a BOM made the first image count as broken."""
    write_image(tmp_path / 'a.png')
    (tmp_path / 'list.txt').write_bytes(b'\xef\xbb\xbfa.png\nb.png\n')
    assert read_file_list(str(tmp_path / 'list.txt')) == ['a.png', 'b.png']
    ds = UnlabeledImageFolder(data_root=str(tmp_path), ann_file='list.txt')
    assert ds.get_data_info(0)['img_path'] == str(tmp_path / 'a.png')


@pytest.mark.parametrize('newline', [b'\n', b'\r\n', b'\r'])
def test_non_utf8_line_is_refused_naming_the_file_and_line(tmp_path,
                                                            newline):
    """Defect: a Latin-1 line raised a UnicodeDecodeError naming no file."""
    ann = tmp_path / 'list.txt'
    ann.write_bytes(newline.join([b'a.png', b'', 'caf\xe9.png'.encode(
        'latin-1'), b'd.png']))
    with pytest.raises(FileListError) as err:
        read_file_list(str(ann))
    assert f"file list '{ann}', line 3: not UTF-8" in str(err.value)
    assert 'iconv -f latin1 -t utf-8' in str(err.value)
    ann.write_bytes('café.png\n'.encode('utf-8'))  # UTF-8 names are fine
    assert read_file_list(str(ann)) == ['café.png']


def test_lines_leaving_the_image_root_are_refused_naming_them(tmp_path):
    """Defect: absolute and ../ paths were read without a word."""
    ann = tmp_path / 'list.txt'
    ann.write_text('ok/../fine.png\n/etc/passwd\n../x.png 1\n'
                   'a/../../y.png\na/b.png\n')
    with pytest.raises(FileListError) as err:
        UnlabeledImageFolder(data_root=str(tmp_path), ann_file='list.txt')
    msg = str(err.value)
    assert f"file list '{ann}': 3 line(s) leave the image root" in msg
    assert ("line 2: '/etc/passwd', line 3: '../x.png', line 4: "
            "'a/../../y.png'") in msg
    assert 'line 1' not in msg and 'line 5' not in msg


def test_duplicate_lines_are_read_once_with_a_warning(tmp_path):
    """Defect: duplicate lines multiplied the epoch (12 iterations for
    4 images)."""
    from mmengine.logging import MMLogger
    names = [f'{i}.png' for i in range(4)]
    (tmp_path / 'list.txt').write_text('\n'.join(names * 3) + '\n')
    logger = MMLogger.get_instance('file_list_duplicates',
                                   log_file=str(tmp_path / 'log'))
    ds = UnlabeledImageFolder(data_root=str(tmp_path), ann_file='list.txt')
    assert [os.path.basename(ds.get_data_info(i)['img_path'])
            for i in range(len(ds))] == names
    log = (tmp_path / 'log').read_text()
    assert f"file list '{tmp_path / 'list.txt'}': 8 duplicate line(s) " \
        'dropped' in log
    assert "line 5: '0.png' (first on line 1)" in log
    assert logger is MMLogger.get_current_instance()
