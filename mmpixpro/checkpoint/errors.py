# Copyright (c) mmpixpro contributors. All rights reserved.
"""Why a checkpoint file is not loaded."""


class CheckpointRefusedError(RuntimeError):
    """A checkpoint needs arbitrary unpickling, or holds more than the
    stated bounds allow; it is not loaded and nothing of it ran."""


class CheckpointCorruptError(RuntimeError):
    """A file is not a complete, intact checkpoint (truncated, empty,
    garbage, or a record whose CRC-32 does not match its bytes)."""


def corrupt(path: str, size: int, cause: str) -> CheckpointCorruptError:
    """The error for a damaged file, in the one wording every reader uses.

    Args:
        path (str): The file.
        size (int): Its size in bytes.
        cause (str): What is wrong, e.g. ``'BadZipFile: ...'``.

    Returns:
        CheckpointCorruptError: ``corrupt or truncated: PATH (N bytes;
        cause)``.
    """
    return CheckpointCorruptError(
        f'corrupt or truncated: {path} ({size} bytes; '
        f'{cause[:300] or "no detail"})')
