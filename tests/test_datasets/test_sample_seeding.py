# Copyright (c) mmpixpro contributors. All rights reserved.
import random

import numpy as np
import pytest
import torch
from pixpro_testing import write_image
from mmengine.dataset import pseudo_collate
from mmengine.registry import FUNCTIONS as ROOT_FUNCTIONS
from torch.utils.data import DataLoader

from mmpixpro.datasets import (EpochSeedSampler, UnlabeledImageFolder,
                               pixpro_worker_init_fn)

VIEW = [
    dict(type='RandomResizedCropWithBox', size=16),
    dict(type='RandomHorizontalFlipWithBox'),
    dict(type='RandomColorJitter'),
]
PIPELINE = [
    dict(type='LoadRGBImageFromFile'),
    dict(type='TwoViewTransform', view_pipelines=[VIEW, VIEW]),
    dict(
        type='PackInputs',
        algorithm_keys=['crop_boxes'],
        meta_keys=['sample_idx']),
]


@pytest.fixture
def dataset(tmp_path):
    for k in range(6):
        write_image(tmp_path / f'{k}.png', 24, 32, seed=k)
    return UnlabeledImageFolder(data_root=str(tmp_path), pipeline=PIPELINE)


def views(sample):
    return sample['data_samples'].crop_boxes, sample['inputs']


def assert_same(a, b):
    assert torch.equal(a['data_samples'].crop_boxes,
                       b['data_samples'].crop_boxes)
    for x, y in zip(a['inputs'], b['inputs']):
        assert torch.equal(x, y)


def test_same_seed_epoch_idx_gives_same_views(dataset):
    dataset.set_epoch(0, seed=123)
    first = dataset[2]
    np.random.rand(5)  # the global stream must not matter
    assert_same(first, dataset[2])
    other = UnlabeledImageFolder(
        data_root=dataset.data_root, pipeline=PIPELINE)
    other.set_epoch(0, seed=123)
    assert_same(first, other[2])


def test_epoch_and_index_change_the_views(dataset):
    dataset.set_epoch(0, seed=123)
    boxes0 = [dataset[i]['data_samples'].crop_boxes for i in range(6)]
    dataset.set_epoch(1)  # keeps the seed
    assert dataset.seed == 123 and dataset.epoch == 1
    boxes1 = [dataset[i]['data_samples'].crop_boxes for i in range(6)]
    assert all(not torch.equal(a, b) for a, b in zip(boxes0, boxes1))
    assert len({tuple(b.flatten().tolist()) for b in boxes0}) == 6


def test_global_streams_restored_when_seeded(dataset):
    dataset.set_epoch(0, seed=1)
    np.random.seed(5)
    random.seed(5)
    dataset[0]
    assert np.random.rand() == np.random.RandomState(5).rand()
    assert random.random() == random.Random(5).random()


def test_unseeded_dataset_uses_global_stream(dataset):
    assert dataset.seed is None
    np.random.seed(9)
    a = dataset[0]
    np.random.seed(9)
    assert_same(a, dataset[0])
    assert not torch.equal(a['data_samples'].crop_boxes,
                           dataset[0]['data_samples'].crop_boxes)


def run_epochs(dataset, num_workers, epochs=(0, 1)):
    sampler = EpochSeedSampler(dataset, shuffle=True, seed=7)
    loader = DataLoader(
        dataset,
        batch_size=2,
        sampler=sampler,
        num_workers=num_workers,
        persistent_workers=num_workers > 0,
        collate_fn=pseudo_collate)
    boxes = {}
    for epoch in epochs:
        sampler.set_epoch(epoch)  # as DistSamplerSeedHook does
        for batch in loader:
            for sample in batch['data_samples']:
                boxes[epoch, sample.sample_idx] = sample.crop_boxes
    return boxes


def test_views_independent_of_num_workers(dataset):
    serial = run_epochs(dataset, num_workers=0)
    parallel = run_epochs(dataset, num_workers=2)  # persistent workers
    assert serial.keys() == parallel.keys() and len(serial) == 12
    for key, boxes in serial.items():
        assert torch.equal(boxes, parallel[key]), key
    for idx in range(6):
        assert not torch.equal(serial[0, idx], serial[1, idx])


def test_resume_from_epoch_reproduces_views(dataset):
    full = run_epochs(dataset, num_workers=0, epochs=(0, 1, 2))
    resumed = run_epochs(dataset, num_workers=0, epochs=(2, ))
    for idx in range(6):
        assert torch.equal(full[2, idx], resumed[2, idx])


def test_sampler_propagates_epoch(dataset):
    sampler = EpochSeedSampler(dataset, seed=5)
    assert (dataset.epoch, dataset.seed) == (0, 5)
    sampler.set_epoch(3)
    assert (dataset.epoch, dataset.seed) == (3, 5)
    assert sampler.epoch == 3
    plain = EpochSeedSampler(list(range(4)), seed=5)  # no set_epoch: fine
    plain.set_epoch(1)
    assert sorted(plain) == [0, 1, 2, 3]


def test_negative_epoch_rejected(dataset):
    with pytest.raises(ValueError):
        dataset.set_epoch(-1, seed=0)


def draw_after_init(worker_id, rank, seed):
    pixpro_worker_init_fn(worker_id, num_workers=2, rank=rank, seed=seed)
    return np.random.rand(), random.random(), torch.rand(()).item()


def test_worker_init_fn_streams():
    torch.manual_seed(0)
    base = draw_after_init(0, 0, 1)
    torch.manual_seed(0)
    assert draw_after_init(0, 0, 1) == base
    for args in [(1, 0, 1), (0, 1, 1), (0, 0, 2)]:
        torch.manual_seed(0)
        assert all(a != b for a, b in zip(draw_after_init(*args), base))
    assert ROOT_FUNCTIONS.get('mmpixpro.pixpro_worker_init_fn') is \
        pixpro_worker_init_fn
