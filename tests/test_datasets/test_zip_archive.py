# Copyright (c) mmpixpro contributors. All rights reserved.
"""Zip-packed images: the packer, the mmengine file backend (local, forked
dataloader workers, an object store), and a dataset read from them."""
import multiprocessing
import os
import posixpath
import struct
import tempfile
import tracemalloc
import zipfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import mmengine.fileio as fileio
import numpy as np
import pytest
from mmengine.fileio.backends import BaseStorageBackend
from pixpro_testing import write_image

from mmpixpro.datasets import (FileListError, UnlabeledImageFolder,
                               ZipArchiveBackend, pack_zip_shards)
from mmpixpro.datasets.image_folder import SKIPPED_KEY
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


def write_zeros_member(zf, name, size):
    """Deflate ``size`` zero bytes into ``zf`` as ``name``, 1 MiB at a time
    (a zip bomb: 257 MiB become about 260 KB)."""
    chunk = bytes(2**20)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, 'w') as f:
        for start in range(0, size, len(chunk)):
            f.write(chunk[:size - start])


@pytest.fixture(scope='module')
def bomb_zip(tmp_path_factory):
    """An archive holding a real image and 257 MiB of deflated zeros: one
    MiB above the backend's default bound."""
    path = tmp_path_factory.mktemp('bomb') / 'train-00000.zip'
    image = tmp_path_factory.mktemp('img') / 'good.png'
    write_image(image, 20, 24)
    with zipfile.ZipFile(path, 'w') as zf:
        zf.write(image, 'good.png')
        write_zeros_member(zf, 'bomb.png', 257 * 2**20)
    assert path.stat().st_size < 2**20
    return str(path)


def peak_traced_bytes(fn):
    """Peak of the Python allocations made while ``fn()`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_bomb_member_is_refused_before_it_is_inflated(bomb_zip):
    """Defect: a 1 MB member inflating to 1 GiB of zeros was read whole."""
    backend = ZipArchiveBackend()  # default max_member_bytes: 256 MiB

    def read_bomb():
        with pytest.raises(OSError) as err:
            backend.get(bomb_zip + '@bomb.png')
        msg = str(err.value)
        assert "'bomb.png' of the zip archive" in msg and bomb_zip in msg
        assert f'{257 * 2**20} bytes inflated' in msg
        assert 'above max_member_bytes=268435456' in msg

    assert peak_traced_bytes(read_bomb) < 8 * 2**20  # not 257 MiB
    assert backend.get(bomb_zip + '@good.png')[:4] == b'\x89PNG'


def _patch_sizes(path, member, size):
    """Rewrite the inflated size of ``member`` in both its local header and
    the central directory: a header that lies."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    struct.pack_into('<I', data, info.header_offset + 22, size)
    central = data.rindex(b'PK\x01\x02')  # the last member's entry
    struct.pack_into('<I', data, central + 24, size)
    path.write_bytes(bytes(data))


def test_header_that_understates_a_member_inflates_no_further(tmp_path):
    path = tmp_path / 'liar.zip'
    with zipfile.ZipFile(path, 'w') as zf:
        write_zeros_member(zf, 'liar.png', 64 * 2**20)
    _patch_sizes(path, 'liar.png', 1000)
    backend = ZipArchiveBackend(max_member_bytes=2**20)

    def read_liar():
        with pytest.raises(OSError, match="Bad CRC-32 for file 'liar.png'"):
            backend.get(f'{path}@liar.png')

    assert peak_traced_bytes(read_liar) < 8 * 2**20


def test_max_member_bytes_must_be_positive():
    with pytest.raises(ValueError, match='max_member_bytes must be >= 1'):
        ZipArchiveBackend(max_member_bytes=0)


def zip_dataset(root, lines, **backend_args):
    """A dataset reading ``lines`` (members of archives under ``root``)."""
    (root / 'list.txt').write_text(''.join(f'{line}\n' for line in lines))
    loader = dict(
        type='LoadRGBImageFromFile',
        min_size=1,
        backend_args=dict(backend='zip', **backend_args))
    ds = UnlabeledImageFolder(
        data_root=str(root),
        ann_file='list.txt',
        pipeline=[loader, dict(type='PackInputs', meta_keys=['img_path'])])
    ds.set_epoch(0, seed=0)
    return ds


def skipped_of(ds, idx):
    """The skipped entries listed with sample ``idx``'s replacement."""
    return set(ds[idx]['data_samples'].metainfo[SKIPPED_KEY])


def test_bomb_member_is_counted_as_broken_with_its_sizes(bomb_zip):
    root = Path(bomb_zip).parent
    ds = zip_dataset(root, ['train-00000.zip@good.png',
                            'train-00000.zip@bomb.png'],
                     max_member_bytes=2**20)
    with zipfile.ZipFile(bomb_zip) as zf:
        stored = zf.getinfo('bomb.png').compress_size
    assert skipped_of(ds, 1) == {
        f'{bomb_zip}@bomb.png ({257 * 2**20} bytes inflated ({stored} '
        'stored), above max_member_bytes=1048576)'
    }


def test_broken_members_are_counted_with_their_reason(image_root, tmp_path):
    """Defect: a bad CRC-32 or a missing member was counted without why."""
    out = tmp_path / 'out'
    pack(image_root, out)
    archive = out / 'train-00000.zip'
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo('b/2.jpg')
    data = bytearray(archive.read_bytes())
    data[info.header_offset + 30 + len(info.filename) + 100] ^= 0xFF
    archive.write_bytes(bytes(data))
    good = 'train-00000.zip@a/0.png'
    ds = zip_dataset(out, [good, 'train-00000.zip@b/2.jpg'])
    assert skipped_of(ds, 1) == {
        f"{archive}@b/2.jpg (Bad CRC-32 for file 'b/2.jpg')"}
    ds = zip_dataset(out, [good, 'train-00000.zip@gone.png'])
    assert skipped_of(ds, 1) == {
        f"{archive}@gone.png (no member 'gone.png' in archive "
        f"'{archive}')"}
