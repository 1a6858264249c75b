# Copyright (c) mmpixpro contributors. All rights reserved.
"""Zip-packed images: the packer, the mmengine file backend (local, forked
dataloader workers, an object store), and a dataset read from them."""
import multiprocessing
import os
import posixpath
import tempfile
import zipfile
from collections import Counter
from contextlib import contextmanager

import mmengine.fileio as fileio
import numpy as np
import pytest
from mmengine.fileio.backends import BaseStorageBackend
from pixpro_testing import write_image

from mmpixpro.datasets import (FileListError, UnlabeledImageFolder,
                               ZipArchiveBackend, pack_zip_shards)
from mmpixpro.datasets.zip_archive import member_path, split_member_path

RELS = ['a/0.png', 'a/1.png', 'b/2.jpg', 'b/c/3.png', 'z.png']


class MemoryStore(BaseStorageBackend):
    """An object store held in memory (URIs 'memtest://...'): what a
    remote backend such as mmengine's PetrelBackend offers, and a count of
    the whole-object fetches."""

    objects: dict = {}
    fetches: Counter = Counter()

    def get(self, filepath):
        self.fetches[str(filepath)] += 1
        try:
            return self.objects[str(filepath)]
        except KeyError:
            raise FileNotFoundError(filepath) from None

    def get_text(self, filepath, encoding='utf-8'):
        return self.get(filepath).decode(encoding)

    def exists(self, filepath):
        return str(filepath) in self.objects

    def join_path(self, filepath, *filepaths):
        return posixpath.join(filepath, *filepaths)

    @contextmanager
    def get_local_path(self, filepath):
        with tempfile.NamedTemporaryFile() as f:
            f.write(self.get(filepath))
            f.flush()
            yield f.name


fileio.register_backend(
    'pixpro_test_memory', MemoryStore, force=True, prefixes='memtest')


@pytest.fixture
def image_root(tmp_path):
    root = tmp_path / 'images'
    for i, rel in enumerate(RELS):
        write_image(root / rel, 20 + i, 24, seed=i)
    return root


def pack(root, out, **kwargs):
    return pack_zip_shards(str(root), RELS, str(out), **kwargs)


def test_member_path_splits_at_the_first_zip_suffix():
    path = member_path('/d/train-00001.zip', 'n01/odd.zip@x.jpg')
    assert path == '/d/train-00001.zip@n01/odd.zip@x.jpg'
    assert split_member_path(path) == ('/d/train-00001.zip',
                                       'n01/odd.zip@x.jpg')
    with pytest.raises(ValueError, match='not a zip member path'):
        split_member_path('/d/n01/x.jpg')


def test_pack_writes_shards_in_listing_order(image_root, tmp_path):
    ann = pack(image_root, tmp_path / 'out', images_per_shard=2)
    assert ann == str(tmp_path / 'out' / 'train.txt')
    assert sorted(os.listdir(tmp_path / 'out')) == [
        'train-00000.zip', 'train-00001.zip', 'train-00002.zip',
        'train.txt'
    ]
    with open(ann) as f:
        lines = f.read().splitlines()
    assert lines == [
        'train-00000.zip@a/0.png', 'train-00000.zip@a/1.png',
        'train-00001.zip@b/2.jpg', 'train-00001.zip@b/c/3.png',
        'train-00002.zip@z.png'
    ]
    for line in lines:
        archive, member = split_member_path(line)
        with zipfile.ZipFile(tmp_path / 'out' / archive) as zf:
            info = zf.getinfo(member)
            assert info.compress_type == zipfile.ZIP_STORED
            assert zf.read(member) == (image_root / member).read_bytes()


def test_pack_is_byte_identical_serial_or_parallel(image_root, tmp_path):
    pack(image_root, tmp_path / 'serial', images_per_shard=3)
    pack(image_root, tmp_path / 'parallel', images_per_shard=3,
         num_workers=2)
    for name in ('train-00000.zip', 'train-00001.zip', 'train.txt'):
        assert (tmp_path / 'serial' / name).read_bytes() == \
            (tmp_path / 'parallel' / name).read_bytes(), name


def test_pack_refuses_bad_input(image_root, tmp_path):
    with pytest.raises(ValueError, match='images_per_shard'):
        pack(image_root, tmp_path / 'o', images_per_shard=0)
    with pytest.raises(ValueError, match='no image to pack'):
        pack_zip_shards(str(image_root), [], str(tmp_path / 'o'))
    with pytest.raises(FileListError, match='my photo.png'):
        pack_zip_shards(str(image_root), ['my photo.png'],
                        str(tmp_path / 'o'))
    with pytest.raises(OSError, match='gone.png'):
        pack_zip_shards(str(image_root), ['a/0.png', 'gone.png'],
                        str(tmp_path / 'o'))
    # neither a shard, a partial shard nor the list is left
    assert os.listdir(tmp_path / 'o') == []


def test_backend_reads_members_and_names_what_is_missing(image_root,
                                                         tmp_path):
    pack(image_root, tmp_path / 'out', images_per_shard=2)
    backend = ZipArchiveBackend()
    shard = str(tmp_path / 'out' / 'train-00001.zip')
    assert backend.get(shard + '@b/2.jpg') == \
        (image_root / 'b' / '2.jpg').read_bytes()
    assert backend.exists(shard + '@b/c/3.png')
    assert not backend.exists(shard + '@a/0.png')  # in shard 0
    with pytest.raises(FileNotFoundError, match="'a/0.png' is not in the "
                       f"zip archive '{shard}'"):
        backend.get(shard + '@a/0.png')
    missing = str(tmp_path / 'out' / 'train-00009.zip')
    with pytest.raises(FileNotFoundError, match=missing):
        backend.get(missing + '@a/0.png')
    (tmp_path / 'fake.zip').write_bytes(b'not a zip')
    with pytest.raises(OSError, match='is not a zip archive'):
        backend.get(str(tmp_path / 'fake.zip') + '@a/0.png')


def _child_read(conn, backend, path):
    """In a forked child: read ``path`` and send the bytes."""
    conn.send(backend.get(path))
    conn.close()


def test_forked_child_opens_its_own_handle(image_root, tmp_path):
    """A file descriptor inherited through fork shares its read position
    with the parent: each process must open the archive itself, else a
    child's read moves the parent's position."""
    for i, rel in enumerate(RELS):  # 48 KiB of noise each: larger than
        write_image(image_root / rel, 128, 128, seed=i)  # a read buffer
    pack(image_root, tmp_path / 'out')
    backend = ZipArchiveBackend()
    shard = str(tmp_path / 'out' / 'train-00000.zip')
    backend.get(shard + '@a/0.png')  # the parent opens before the fork
    path = shard + '@z.png'  # the last member, far from the first
    archive, _ = split_member_path(path)
    parent_fd = backend._archives[archive].fp.fileno()
    os.lseek(parent_fd, 0, os.SEEK_SET)
    ctx = multiprocessing.get_context('fork')
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_read, args=(send, backend, path))
    child.start()
    content = receive.recv()
    child.join()
    assert content == (image_root / 'z.png').read_bytes()
    assert os.lseek(parent_fd, 0, os.SEEK_CUR) == 0  # untouched
    assert backend.get(path) == content


def test_object_store_archives_are_fetched_once_per_machine(
        image_root, tmp_path):
    """The list and the archives on an object store, read through mmengine
    backends: the dataset reads the list, each archive is copied once into
    the cache and shared by later backends (processes) of the machine."""
    out = tmp_path / 'out'
    pack(image_root, out, images_per_shard=2)
    bucket = 'memtest://bucket/imagenet_zip'
    MemoryStore.objects = {
        f'{bucket}/{name}': (out / name).read_bytes()
        for name in os.listdir(out)
    }
    MemoryStore.fetches.clear()
    cache = tmp_path / 'cache'
    loader = dict(
        type='LoadRGBImageFromFile',
        min_size=1,
        backend_args=dict(backend='zip', cache_dir=str(cache)))
    ds = UnlabeledImageFolder(
        data_root=bucket, ann_file='train.txt', pipeline=[loader])
    assert ds.get_data_info(3)['img_path'] == \
        f'{bucket}/train-00001.zip@b/c/3.png'
    expected = [
        UnlabeledImageFolder(
            data_root=str(image_root),
            pipeline=[dict(type='LoadRGBImageFromFile', min_size=1)])[i]['img']
        for i in range(len(RELS))
    ]
    for i in range(len(RELS)):
        np.testing.assert_array_equal(ds[i]['img'], expected[i])
    # a second backend (another process of the machine) uses the copies
    other = ZipArchiveBackend(cache_dir=str(cache))
    assert other.get(f'{bucket}/train-00002.zip@z.png') == \
        (image_root / 'z.png').read_bytes()
    shards = {k: v for k, v in MemoryStore.fetches.items() if '.zip' in k}
    assert shards == {f'{bucket}/train-0000{k}.zip': 1 for k in range(3)}
    assert len([n for n in os.listdir(cache) if n.endswith('.zip')]) == 3
    assert not [n for n in os.listdir(cache) if n.endswith('.tmp')]
