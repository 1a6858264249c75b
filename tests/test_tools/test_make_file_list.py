# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/dataset_converters/make_file_list.py: the folder search, written."""
import os
import os.path as osp

import pytest
from mmengine.logging import MMLogger
from pixpro_testing import ROOT, load_tool, write_image

from mmpixpro.datasets import UnlabeledImageFolder, read_file_list

SCRIPT = osp.join(ROOT, 'tools', 'dataset_converters', 'make_file_list.py')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools', 'dataset_converters', 'make_file_list.py')


@pytest.fixture
def odd_tree(tmp_path):
    """Every case the folder search rules on."""
    root = tmp_path / 'train'
    write_image(root / 'n02' / 'b.JPEG')
    write_image(root / 'n01' / 'a.jpg')
    write_image(root / 'n01' / 'deep' / 'c.PNG')
    write_image(root / '.cache' / 'hidden.jpg')
    write_image(root / 'n01' / '.d.jpg')
    (root / 'n01' / 'anim.gif').write_bytes(b'GIF89a')
    (root / 'n01' / 'notes.txt').write_text('not an image')
    os.symlink(root, root / 'n01' / 'loop')  # a link loop
    os.symlink(root / 'n02' / 'b.JPEG', root / 'n02' / 'b_link.jpg')
    return root


def test_list_equals_the_folder_search(tool, odd_tree, tmp_path, capsys):
    # a fresh current logger, writing to this test's captured stdout
    MMLogger.get_instance(f'make_file_list_{tmp_path.name}')
    out = tmp_path / 'meta' / 'train.txt'
    tool.main([str(odd_tree), str(out)])
    listed = read_file_list(str(out))
    assert listed == ['n01/a.jpg', 'n01/deep/c.PNG', 'n02/b.JPEG']
    folder = UnlabeledImageFolder(data_root=str(odd_tree))
    from_list = UnlabeledImageFolder(
        data_root=str(tmp_path), data_prefix=dict(img_path='train/'),
        ann_file='meta/train.txt')
    assert [folder.get_data_info(i) for i in range(len(folder))] == \
        [from_list.get_data_info(i) for i in range(len(from_list))]
    printed = capsys.readouterr().out
    assert '3 images listed' in printed
    assert '1 .gif file(s)' in printed


def test_extensions_option(tool, odd_tree, tmp_path):
    out = tmp_path / 'png.txt'
    tool.main([str(odd_tree), str(out), '--extensions', 'PNG'])
    assert read_file_list(str(out)) == ['n01/deep/c.PNG']


def test_names_with_white_space_are_refused(tool, odd_tree, tmp_path):
    write_image(odd_tree / 'n01' / 'my photo.jpg')
    with pytest.raises(ValueError, match='my photo.jpg'):
        tool.main([str(odd_tree), str(tmp_path / 'list.txt')])
    assert not (tmp_path / 'list.txt').exists()


def test_folder_without_images(tool, tmp_path):
    with pytest.raises(SystemExit, match='no image'):
        tool.main([str(tmp_path / 'missing'), str(tmp_path / 'list.txt')])
