# Copyright (c) mmpixpro contributors. All rights reserved.
"""Folder, file list and zip shards give the same batches.

The demo config's train dataloader (views at 64 px, batch 2, two forked
workers, the seeded sampler) is built by the Runner's own
``build_dataloader`` from each source of one image tree. The tree holds
what the folder search treats specially (a truncated JPEG, a hidden file,
a GIF, a link loop), so that skipping and replacing also agree.
"""
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from pixpro_testing import DEMO, make_images

from mmpixpro.datasets import (IMG_EXTENSIONS, list_images, pack_zip_shards,
                               write_file_list)
from mmpixpro.datasets.image_folder import SKIPPED_KEY

SEED = 11
EPOCHS = 2


@pytest.fixture(scope='module')
def sources(tmp_path_factory):
    """The image root, its file list and its zip shards."""
    tmp = tmp_path_factory.mktemp('sources')
    root = tmp / 'images'
    make_images(root / 'a', 5)
    make_images(root / 'b', 2, seed=1)
    good = (root / 'a' / 'img_0.jpg').read_bytes()
    (root / 'b' / 'broken.jpg').write_bytes(good[:200])  # truncated
    make_images(root / '.hidden', 1)
    (root / 'a' / 'anim.gif').write_bytes(b'GIF89a')
    os.symlink(root, root / 'a' / 'loop')
    paths = list_images(str(root), IMG_EXTENSIONS)
    assert len(paths) == 8 and 'b/broken.jpg' in paths
    write_file_list(paths, str(tmp / 'meta' / 'train.txt'))
    pack_zip_shards(str(root), paths, str(tmp / 'zip'), images_per_shard=3)
    return tmp


def loader_cfg(tmp, source: str) -> dict:
    """The demo's train dataloader, 64 px views, reading ``source``."""
    loader = Config.fromfile(DEMO).train_dataloader
    loader.update(batch_size=2, num_workers=2, persistent_workers=False)
    dataset = loader.dataset
    for views in dataset.pipeline[1]['view_pipelines']:
        views[0]['size'] = 64  # RandomResizedCropWithBox
    if source == 'folder':
        dataset.data_root = str(tmp / 'images')
    elif source == 'file list':
        dataset.update(
            data_root=str(tmp),
            data_prefix=dict(img_path='images/'),
            ann_file='meta/train.txt')
    else:
        dataset.update(data_root=str(tmp / 'zip'), ann_file='train.txt')
        dataset.pipeline[0]['backend_args'] = dict(backend='zip')
    return loader.to_dict()


def batches(tmp, source: str) -> list:
    """Every batch of EPOCHS epochs: views, crop boxes, skipped count."""
    loader = Runner.build_dataloader(loader_cfg(tmp, source), seed=SEED)
    loader.dataset[0]  # the main process reads (opens archives) first
    out = []
    for epoch in range(EPOCHS):
        loader.sampler.set_epoch(epoch)  # as DistSamplerSeedHook does
        for batch in loader:
            samples = batch['data_samples']
            out.append(dict(
                views=[v.clone() for v in batch['inputs']],
                boxes=torch.stack([s.crop_boxes for s in samples]),
                skipped=sum(len(s.metainfo.get(SKIPPED_KEY, ()))
                            for s in samples),
                names=[osp.basename(s.img_path) for s in samples]))
    return out


@pytest.fixture(scope='module')
def folder_batches(sources):
    return batches(sources, 'folder')


def test_folder_batches_are_not_trivial(folder_batches):
    assert len(folder_batches) == EPOCHS * 4  # 8 images, batch 2
    first = folder_batches[0]
    assert first['views'][0].shape == (2, 3, 64, 64)
    assert first['views'][0].dtype == torch.uint8
    assert not torch.equal(first['views'][0], first['views'][1])
    # the epochs differ in order and in augmentation
    assert not all(
        torch.equal(a['views'][0], b['views'][0])
        for a, b in zip(folder_batches[:4], folder_batches[4:]))
    # the truncated JPEG was drawn and replaced in each epoch
    for epoch in range(EPOCHS):
        part = folder_batches[4 * epoch:4 * (epoch + 1)]
        assert sum(b['skipped'] for b in part) >= 1


@pytest.mark.parametrize('source', ['file list', 'zip shards'])
def test_same_batches_as_the_folder(sources, folder_batches, source):
    other = batches(sources, source)
    assert len(other) == len(folder_batches)
    for i, (a, b) in enumerate(zip(folder_batches, other)):
        assert a['names'] == b['names'], i
        assert a['skipped'] == b['skipped'], i
        for view_a, view_b in zip(a['views'], b['views']):
            assert torch.equal(view_a, view_b), i  # pixel-equal
        assert torch.equal(a['boxes'], b['boxes']), i
