# Copyright (c) mmpixpro contributors. All rights reserved.
import os.path as osp

import pytest
import torch
from pixpro_testing import write_image
from mmengine.config import Config

from mmpixpro.datasets import UnlabeledImageFolder
from mmpixpro.registry import DATASETS

CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets',
    'imagenet_pixpro.py')


@pytest.fixture
def image_tree(tmp_path):
    root = tmp_path / 'train'
    write_image(root / 'n01' / 'x.jpg')
    write_image(root / 'n01' / 'deep' / 'y.PNG')
    write_image(root / 'z.JPEG')
    write_image(root / '.hidden' / 'h.jpg')
    write_image(root / 'n01' / '._x.jpg')
    (root / 'n01' / 'notes.txt').write_text('not an image')
    (root / 'n01' / 'jpg').write_text('no extension')
    return root


def test_recursive_search(image_tree):
    ds = UnlabeledImageFolder(data_root=str(image_tree))
    rel = [
        osp.relpath(ds.get_data_info(i)['img_path'], image_tree)
        for i in range(len(ds))
    ]
    assert rel == ['n01/deep/y.PNG', 'n01/x.jpg', 'z.JPEG']
    info = ds.get_data_info(2)
    assert osp.isabs(info['img_path']) and info['sample_idx'] == 2


def test_extensions_argument(image_tree):
    ds = UnlabeledImageFolder(data_root=str(image_tree), extensions=['png'])
    assert len(ds) == 1


def test_ann_file_takes_first_token(image_tree):
    (image_tree / 'list.txt').write_text('z.JPEG 0\n\nn01/x.jpg 7\n')
    ds = UnlabeledImageFolder(data_root=str(image_tree), ann_file='list.txt')
    paths = [ds.get_data_info(i)['img_path'] for i in range(len(ds))]
    assert paths == [
        str(image_tree / 'z.JPEG'),
        str(image_tree / 'n01' / 'x.jpg')
    ]


def test_missing_ann_file(image_tree):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        UnlabeledImageFolder(data_root=str(image_tree), ann_file='nope.txt')


def test_missing_root_names_the_path(tmp_path):
    missing = tmp_path / 'does_not_exist'
    with pytest.raises(FileNotFoundError, match=str(missing)):
        UnlabeledImageFolder(data_root=str(missing))


def test_root_without_images_names_the_path(tmp_path):
    (tmp_path / 'a.txt').write_text('x')
    with pytest.raises(ValueError, match=str(tmp_path)):
        UnlabeledImageFolder(data_root=str(tmp_path))


def test_config_data_root_override(image_tree):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(
        {'train_dataloader.dataset.data_root': str(image_tree)})
    ds = DATASETS.build(cfg.train_dataloader.dataset)
    assert isinstance(ds, UnlabeledImageFolder) and len(ds) == 3
    packed = ds[0]
    assert [v.shape for v in packed['inputs']] == [(3, 224, 224)] * 2
    assert packed['data_samples'].crop_boxes.dtype == torch.float32
