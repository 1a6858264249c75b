# Copyright (c) mmpixpro contributors. All rights reserved.
"""Images packed in zip archives, read through mmengine's file backends.

Why zip (and not LMDB or tar shards):

* random access: a zip's central directory locates every member, so
  sample ``i`` is one seek and one read, in any order. The sampler's
  shuffle, the per-sample augmentation seeds and a mid-epoch resume
  therefore work exactly as on a folder. Tar shards are read front to
  back: the data order would have to follow the shards.
* no dependency and no special file system: ``zipfile`` is in Python's
  standard library; an archive is a plain file that can sit on a shared
  file system or an object store, be copied, checked and listed with
  ordinary tools (``unzip -l``). LMDB needs the ``lmdb`` C extension and a
  memory-mapped database on a local POSIX file system.
* it is the format of the PixPro authors' release (ImageNet as zip).

Layout, written by ``tools/dataset_converters/pack_zip.py``
(:func:`pack_zip_shards`)::

    OUT/train-00000.zip     members stored (not compressed; JPEG bytes do
    OUT/train-00001.zip     not compress), named by their path relative to
    ...                     the image root
    OUT/train.txt           file list, one 'train-00000.zip@n01/x.JPEG'
                            per line, in the order of the source listing

so that ``UnlabeledImageFolder(data_root=OUT, ann_file='train.txt')``
lists ``OUT/train-00000.zip@n01/x.JPEG``, and
``LoadRGBImageFromFile(backend_args=dict(backend='zip'))`` reads such a
path through :class:`ZipArchiveBackend`.

A member that cannot be read (missing, corrupt, or larger than the
backend's ``max_member_bytes`` once inflated) raises :class:`ZipReadError`
with a short ``note`` naming the reason; the loader keeps the note, so the
broken-image count names it beside the path.
"""
import fcntl
import hashlib
import os
import os.path as osp
import shutil
import tempfile
import zipfile
import zlib
from multiprocessing import Pool
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import mmengine.fileio as fileio
from mmengine.fileio.backends import BaseStorageBackend, LocalBackend

from mmpixpro.checkpoint import atomic_target
from .file_list import check_listable, write_file_list

ARCHIVE_SUFFIX = '.zip'
MEMBER_SEP = '@'
# a fixed member time stamp: the same images give byte-identical archives
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# the largest inflated member read by default: far above an encoded photo
# (tens of MB at most), far below the memory of a dataloader worker
DEFAULT_MAX_MEMBER_BYTES = 256 * 2**20
# what zipfile raises on a corrupt, encrypted or unsupported member
_MEMBER_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError,
                       NotImplementedError, RuntimeError)


class ZipReadError(OSError):
    """A member of a zip archive cannot be read.

    Args:
        message (str): The full message, naming the archive and member.
        note (str): The reason in a few words (e.g. ``"Bad CRC-32 for file
            'n01/x.JPEG'"``), the same for every read of the same member:
            the broken-image count lists it beside the path.
    """

    def __init__(self, message: str, note: str) -> None:
        super().__init__(message)
        self.note = note


class ZipNotFoundError(ZipReadError, FileNotFoundError):
    """The archive, or the member in it, does not exist."""


def member_path(archive: str, member: str) -> str:
    """The path of ``member`` inside ``archive``: ``'ARCHIVE@MEMBER'``.

    Args:
        archive (str): Archive path or name, ending with ``.zip``.
        member (str): Member name (a path relative to the image root).

    Returns:
        str: The joined path.
    """
    return f'{archive}{MEMBER_SEP}{member}'


def split_member_path(path: str) -> Tuple[str, str]:
    """Split ``'ARCHIVE.zip@MEMBER'`` at the first ``.zip@``.

    Args:
        path (str): A member path.

    Returns:
        tuple[str, str]: ``(archive, member)``.

    Raises:
        ValueError: If ``path`` holds no ``.zip@``.
    """
    sep = ARCHIVE_SUFFIX + MEMBER_SEP
    cut = path.find(sep)
    if cut < 0:
        raise ValueError(
            f'{path!r} is not a zip member path (ARCHIVE.zip@MEMBER): '
            "backend 'zip' reads the file lists of pack_zip.py")
    cut += len(ARCHIVE_SUFFIX)
    return path[:cut], path[cut + len(MEMBER_SEP):]


def shard_name(prefix: str, index: int) -> str:
    """File name of shard ``index``: ``'{prefix}-{index:05d}.zip'``."""
    return f'{prefix}-{index:05d}{ARCHIVE_SUFFIX}'


def write_zip_shard(root: str, paths: Sequence[str], out: str) -> None:
    """Store the files ``paths`` (relative to ``root``) in the zip ``out``.

    Members are stored uncompressed under their relative path, with a
    fixed time stamp; the archive is written to ``out + '.tmp'`` and
    renamed, so ``out`` is either absent or complete (the partial file is
    removed on an error).

    Args:
        root (str): Image root.
        paths (Sequence[str]): Relative paths, in member order.
        out (str): The archive to write.

    Raises:
        OSError: Naming a file that cannot be read.
    """
    with atomic_target(out) as tmp, zipfile.ZipFile(
            tmp, 'w', zipfile.ZIP_STORED) as zf:
        for rel in paths:
            zf.writestr(zipfile.ZipInfo(rel, _ZIP_EPOCH),
                        _read_source(osp.join(root, rel)))


def _read_source(path: str) -> bytes:
    """Bytes of an image file to pack; an error names the file."""
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as err:
        raise OSError(f'cannot read {path!r}: {err}') from err


def _write_shard(job: Tuple[str, List[str], str]) -> None:
    write_zip_shard(*job)


def pack_zip_shards(root: str,
                    paths: Sequence[str],
                    out_dir: str,
                    prefix: str = 'train',
                    images_per_shard: int = 10000,
                    num_workers: int = 0) -> str:
    """Pack the images ``paths`` of ``root`` into zip shards + a file list.

    Shard ``k`` holds ``paths[k * images_per_shard:(k + 1) *
    images_per_shard]``; the file list ``{out_dir}/{prefix}.txt`` names
    every member as ``'{prefix}-{k:05d}.zip@{path}'`` in the order of
    ``paths``, and is written last (its presence means the set is complete).
    Files are copied as they are: an undecodable file stays undecodable and
    is skipped and counted in training as it would be in the folder.

    Args:
        root (str): Image root.
        paths (Sequence[str]): Image paths relative to ``root``, in
            training order (e.g. ``list_images(root)``).
        out_dir (str): Output folder (created).
        prefix (str): Name of the shards and the list. Defaults to 'train'.
        images_per_shard (int): Images per archive. Defaults to 10000
            (ImageNet-1k train: 129 archives of about 1.1 GB).
        num_workers (int): Processes writing shards in parallel; 0 writes
            them in this process. Defaults to 0.

    Returns:
        str: Path of the file list.

    Raises:
        ValueError: If ``paths`` is empty or ``images_per_shard`` < 1.
        FileListError: If a path holds white space.
    """
    if images_per_shard < 1:
        raise ValueError(
            f'images_per_shard must be >= 1, got {images_per_shard}')
    if not paths:
        raise ValueError(f'no image to pack from {root!r}')
    check_listable(paths)
    os.makedirs(out_dir, exist_ok=True)
    jobs, lines = [], []
    for k, start in enumerate(range(0, len(paths), images_per_shard)):
        chunk = list(paths[start:start + images_per_shard])
        name = shard_name(prefix, k)
        jobs.append((root, chunk, osp.join(out_dir, name)))
        lines.extend(member_path(name, p) for p in chunk)
    if num_workers > 0:
        with Pool(num_workers) as pool:
            for _ in pool.imap_unordered(_write_shard, jobs):
                pass
    else:
        for job in jobs:
            _write_shard(job)
    ann_file = osp.join(out_dir, prefix + '.txt')
    write_file_list(lines, ann_file)
    return ann_file


def _missing_archive(archive: str) -> ZipNotFoundError:
    """The error of an archive that does not exist."""
    return ZipNotFoundError(f'zip archive {archive!r} does not exist',
                            note=f'no archive {archive!r}')


@fileio.register_backend('zip')
class ZipArchiveBackend(BaseStorageBackend):
    """Read members of zip archives: paths ``'ARCHIVE.zip@MEMBER'``.

    The archives themselves are reached through mmengine's file backends
    (``archive_backend_args``, or the backend of the path's prefix): a
    local archive (including a mounted shared file system) is opened in
    place; an archive on an object store is copied once into ``cache_dir``
    (under a lock, so the processes of one machine share one copy) and
    opened there. Every process opens its own handles: handles inherited
    through ``fork`` (dataloader workers) are dropped and reopened, since
    a forked file descriptor shares its read position with the parent.
    One handle per archive and process stays open.

    Members are inflated with a bound: one whose header gives an inflated
    size above ``max_member_bytes`` is refused unread (a 1 MB member can
    inflate to 1 GiB of zeros), and the read itself stops past the bound,
    so a header that understates the size inflates no further either. A
    refused, missing or corrupt member raises :class:`ZipReadError`; the
    loader turns it into an undecodable image, which the dataset replaces
    and :class:`BrokenImageHook` counts with the reason.

    Use it through ``backend_args``, e.g. ``LoadRGBImageFromFile(
    backend_args=dict(backend='zip', archive_backend_args=dict(
    backend='petrel')))``.

    Args:
        archive_backend_args (dict, optional): mmengine backend arguments
            of the archives. Defaults to None (from the path's prefix:
            local for plain paths).
        cache_dir (str, optional): Where copies of remote archives are
            kept. Defaults to None (``{tempdir}/mmpixpro_zip_cache``).
        max_member_bytes (int): Largest inflated member read, in bytes.
            Defaults to :data:`DEFAULT_MAX_MEMBER_BYTES` (256 MiB).
    """

    def __init__(self,
                 archive_backend_args: Optional[dict] = None,
                 cache_dir: Optional[str] = None,
                 max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES) -> None:
        if max_member_bytes < 1:
            raise ValueError(
                f'max_member_bytes must be >= 1, got {max_member_bytes}')
        self.archive_backend_args = archive_backend_args
        self.cache_dir = cache_dir or osp.join(tempfile.gettempdir(),
                                               'mmpixpro_zip_cache')
        self.max_member_bytes = max_member_bytes
        self._pid = os.getpid()
        self._archives: Dict[str, zipfile.ZipFile] = {}

    def get(self, filepath: Union[str, Path]) -> bytes:
        """Bytes of one member, inflated up to ``max_member_bytes``.

        Args:
            filepath (str | Path): ``'ARCHIVE.zip@MEMBER'``.

        Returns:
            bytes: The member's content.

        Raises:
            ZipNotFoundError: Naming the archive, or the member missing
                from it.
            ZipReadError: If the member is larger than ``max_member_bytes``
                (archive, member and sizes named) or corrupt (bad CRC-32,
                bad compressed data).
        """
        archive, member = split_member_path(str(filepath))
        info = self._member_info(archive, member)
        self._check_size(archive, info, info.file_size)
        try:
            # a bounded read whatever the header says (zipfile itself stops
            # at the header's size; a longer stream then fails its CRC-32)
            with self._open(archive).open(info) as f:
                content = f.read(self.max_member_bytes + 1)
        except _MEMBER_READ_ERRORS as err:
            raise ZipReadError(
                f'cannot read {member!r} of the zip archive {archive!r}: '
                f'{err}', note=str(err)) from err
        self._check_size(archive, info, len(content))
        return content

    def _member_info(self, archive: str, member: str) -> zipfile.ZipInfo:
        """The central-directory entry of ``member`` in ``archive``."""
        try:
            return self._open(archive).getinfo(member)
        except KeyError:
            note = f'no member {member!r} in archive {archive!r}'
            raise ZipNotFoundError(
                f'{member!r} is not in the zip archive {archive!r}',
                note) from None

    def _check_size(self, archive: str, info: zipfile.ZipInfo,
                    size: int) -> None:
        """Refuse ``info`` if ``size`` (its header's inflated size, then the
        bytes actually inflated) is above ``max_member_bytes``."""
        limit = self.max_member_bytes
        if size <= limit:
            return
        if size == info.file_size:
            note = (f'{info.file_size} bytes inflated ({info.compress_size} '
                    f'stored), above max_member_bytes={limit}')
        else:  # the header understates the size
            note = (f'inflates past max_member_bytes={limit} although its '
                    f'header says {info.file_size} bytes')
        raise ZipReadError(
            f'{info.filename!r} of the zip archive {archive!r} is refused: '
            f"{note} (a zip bomb? if not, raise the zip backend's "
            'max_member_bytes)', note=note)

    def get_text(self,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> str:
        """Text of one member (see :meth:`get`)."""
        return self.get(filepath).decode(encoding)

    def exists(self, filepath: Union[str, Path]) -> bool:
        """Whether the member exists (its archive is opened to check)."""
        try:
            archive, member = split_member_path(str(filepath))
            return member in self._open(archive).NameToInfo
        except FileNotFoundError:
            return False

    def _open(self, archive: str) -> zipfile.ZipFile:
        """This process's handle of ``archive``."""
        if self._pid != os.getpid():  # a forked child: own handles
            self._archives, self._pid = {}, os.getpid()
        zf = self._archives.get(archive)
        if zf is None:
            try:
                zf = zipfile.ZipFile(self._local_path(archive))
            except zipfile.BadZipFile as err:
                note = f'not a zip archive: {err}'
                raise ZipReadError(f'{archive!r} is {note}', note) from err
            self._archives[archive] = zf
        return zf

    def _local_path(self, archive: str) -> str:
        """A local file holding ``archive`` (itself, or a cached copy)."""
        backend = fileio.get_file_backend(
            archive, backend_args=self.archive_backend_args)
        if isinstance(backend, LocalBackend):
            if not osp.isfile(archive):
                raise _missing_archive(archive)
            return archive
        key = hashlib.sha1(archive.encode()).hexdigest()[:16]
        local = osp.join(self.cache_dir, f'{key}-{osp.basename(archive)}')
        if osp.isfile(local):
            return local
        os.makedirs(self.cache_dir, exist_ok=True)
        with open(local + '.lock', 'a') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
            if not osp.isfile(local):
                if not backend.exists(archive):
                    raise _missing_archive(archive)
                with atomic_target(local) as tmp, \
                        backend.get_local_path(archive) as src:
                    shutil.copyfile(src, tmp)
        return local
