# Copyright (c) mmpixpro contributors. All rights reserved.
"""Checks of a checkpoint's zip archive made before torch unpickles it.

``torch.save`` writes a zip archive (PyTorch >= 1.6) and stores a CRC-32 of
every record (``data.pkl``, each tensor storage) in it; ``torch.load``
does not compare them, so a flipped byte in a tensor loads silently. Two
checks read only the archive:

* **Integrity**: every record's bytes must match the CRC-32 written with
  it (:func:`verify_records`); a mismatch names the file and the record.
* **Inflation bound**: torch never compresses records, but its reader
  inflates deflated ones, so a re-packed file of a few hundred KB can
  expand to gigabytes. Records stored compressed whose declared size
  exceeds ``max_inflated_bytes`` are refused before anything is inflated
  (:func:`check_inflation`).

Legacy (pre-1.6, non-zip) checkpoints carry no checksum and cannot be
compressed: they pass through unchecked.
"""
import os
import os.path as osp
import zipfile
from typing import Optional

from .errors import CheckpointRefusedError, corrupt

#: environment variable that sets the default inflation bound, in MiB
MAX_INFLATED_ENV = 'MMPIXPRO_CKPT_MAX_INFLATED_MB'
DEFAULT_MAX_INFLATED_MB = 256
_CHUNK = 1 << 22  # bytes read at a time when verifying a record


def max_inflated_bytes(value: Optional[int] = None) -> int:
    """The inflation bound: ``value``, else the environment's, else 256 MiB.

    Args:
        value (int, optional): An explicit bound in bytes.

    Returns:
        int: Bytes a compressed record may expand to.
    """
    if value is not None:
        return value
    return int(float(os.environ.get(MAX_INFLATED_ENV,
                                    DEFAULT_MAX_INFLATED_MB)) * 2**20)


def check_archive(path: str, max_inflated: Optional[int] = None) -> None:
    """Refuse a zip checkpoint that would inflate too far or is damaged.

    Args:
        path (str): Local checkpoint file.
        max_inflated (int, optional): Bound in bytes for a compressed
            record; None reads :data:`MAX_INFLATED_ENV` (default 256 MiB).

    Raises:
        CheckpointRefusedError: If a compressed record declares more bytes
            than the bound.
        CheckpointCorruptError: If the archive cannot be read or a record
            does not match its CRC-32.
    """
    if not zipfile.is_zipfile(path):
        return  # legacy format, or not a checkpoint (torch will say so)
    try:
        with zipfile.ZipFile(path) as archive:
            check_inflation(archive, path, max_inflated_bytes(max_inflated))
            verify_records(archive, path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise corrupt(path, osp.getsize(path),
                      f'{type(err).__name__}: {err}') from err


def check_inflation(archive: zipfile.ZipFile, path: str, limit: int) -> None:
    """Refuse compressed records declaring more than ``limit`` bytes.

    Args:
        archive (zipfile.ZipFile): The open checkpoint.
        path (str): Named in the error.
        limit (int): Bytes a compressed record may expand to.

    Raises:
        CheckpointRefusedError: Naming the record and both sizes.
    """
    for info in archive.infolist():
        if (info.compress_type != zipfile.ZIP_STORED
                and info.file_size > limit):
            raise CheckpointRefusedError(
                f'Refusing to load {path!r}: record {info.filename!r} is '
                f'stored compressed ({info.compress_size} bytes) and would '
                f'inflate to {info.file_size} bytes, above the bound of '
                f'{limit} bytes (torch never compresses its records; set '
                f'{MAX_INFLATED_ENV} in MiB to raise the bound for a file '
                'you trust).')


def verify_records(archive: zipfile.ZipFile, path: str) -> None:
    """Compare every record with the CRC-32 written with it.

    Args:
        archive (zipfile.ZipFile): The open checkpoint.
        path (str): Named in the error.

    Raises:
        zipfile.BadZipFile: ``Bad CRC-32 for file NAME`` (from zipfile,
            which checks the CRC when a record has been read to its end).
    """
    for info in archive.infolist():
        with archive.open(info) as record:
            while record.read(_CHUNK):
                pass
