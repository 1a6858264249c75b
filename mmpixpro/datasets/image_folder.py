# Copyright (c) mmpixpro contributors. All rights reserved.
import logging
import os
import posixpath
from collections import Counter
from itertools import islice
from typing import (Any, Callable, Iterator, List, Optional, Sequence, Tuple,
                    Union)

import mmengine.fileio as fileio
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.fileio.backends import LocalBackend
from mmengine.logging import print_log

from mmpixpro.registry import DATASETS, TRANSFORMS
from .file_list import read_file_list
from .seeding import fold_seed, seeded_global_rngs
from .transforms.loading import ImageDecodeError

# metainfo key listing the undecodable files a sample replaced (read by
# mmpixpro.engine.hooks.BrokenImageHook)
SKIPPED_KEY = 'skipped_images'

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.ppm', '.pgm', '.tif',
                  '.tiff', '.webp')
# image formats that are not listed unless named in ``extensions``: passed
# over with a count in the log (a GIF is an animation, and only its first
# frame would be read)
UNREAD_FORMATS = ('.gif', )


def normalise_extensions(extensions: Sequence[str]) -> Tuple[str, ...]:
    """Lower-case extensions with a leading dot ('JPG' -> '.jpg')."""
    return tuple(e.lower() if e.startswith('.') else '.' + e.lower()
                 for e in extensions)


def list_images(root: str,
                extensions: Sequence[str] = IMG_EXTENSIONS,
                limit: Optional[int] = None) -> List[str]:
    """The image files under ``root``, each real file once, sorted.

    The one listing of images in mmpixpro: the dataset, the data check of
    ``tools/train.py``, the converters and the benchmark tools use it, so
    they all see the same files. Rules:

    * the extension decides, case-insensitively; files of
      :data:`UNREAD_FORMATS` (GIF) are passed over with a count per
      extension in the log, unless named in ``extensions``;
    * hidden files and folders (name starting with '.', e.g. macOS's
      ``._x.jpg``) are skipped;
    * symbolic links to folders are followed, but a folder already
      visited (a link loop, or two links to one folder) is not entered
      again; two links to one file give it once.

    Args:
        root (str): Folder to search.
        extensions (Sequence[str]): Image extensions, with or without the
            dot, any case. Defaults to :data:`IMG_EXTENSIONS`.
        limit (int, optional): Stop once this many images are found (to
            check that a folder holds a batch without walking all of it);
            those are then not the first of the full listing, and nothing
            is logged. Defaults to None (the whole tree).

    Returns:
        list[str]: Paths relative to ``root``, sorted.
    """
    extensions = normalise_extensions(extensions)
    skipped: Counter = Counter()
    paths = sorted(islice(_walk_images(root, extensions, skipped), limit))
    if limit is None:
        for ext, count in sorted(skipped.items()):
            print_log(
                f'{count} {ext} file(s) under {root!r} are not read '
                f'(only {extensions}); convert them, or add '
                f"'{ext}' to the dataset's extensions to read the first "
                'frame of each.', logger='current', level=logging.WARNING)
    return paths


def _walk_images(root: str, extensions: Tuple[str, ...],
                 skipped: Counter) -> Iterator[str]:
    """Yield the images under ``root`` by the rules of :func:`list_images`,
    in walk order, counting the :data:`UNREAD_FORMATS` files in
    ``skipped``."""
    seen_dirs, seen_files = set(), set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith('.'))
        for name in sorted(filenames):
            lower = name.lower()
            if name.startswith('.'):
                continue
            if not lower.endswith(extensions):
                if lower.endswith(UNREAD_FORMATS):
                    skipped[os.path.splitext(lower)[1]] += 1
                continue
            path = os.path.join(dirpath, name)
            real = os.path.realpath(path)
            if real not in seen_files:
                seen_files.add(real)
                yield os.path.relpath(path, root)


@DATASETS.register_module()
class UnlabeledImageFolder(BaseDataset):
    """Images of a folder tree (or of a file list), without labels.

    Without ``ann_file`` the image root (``data_root`` joined with
    ``data_prefix['img_path']``) is searched recursively for files with one
    of ``extensions`` (case-insensitive), in sorted order; ImageNet's
    ``train/`` layout works as it is. With ``ann_file`` (a file list, read
    by :func:`~mmpixpro.datasets.read_file_list`: UTF-8, paths inside the
    image root, a repeated path once) the listed paths (first token of
    each line, relative to the image root) are used in file order and the
    tree is not walked; files named there are not checked at start: a
    missing one fails to load like an undecodable one (below). The list
    and the images may be on an object store (``backend_args``; give the
    pipeline's loader the same). Images packed in zip archives
    (:mod:`mmpixpro.datasets.zip_archive`) are read the same way, from the
    file list that the packer writes. Each item of ``data_list`` is
    ``{'img_path': absolute path or URI, 'sample_idx': i}``.

    Resume-exact randomness: once :meth:`set_epoch` has given a seed,
    sample ``idx`` of epoch ``e`` runs its pipeline with ``numpy.random``
    and ``random`` seeded from ``SeedSequence([seed, e, idx])`` (the
    previous states are restored afterwards), so its augmentation does not
    depend on workers, ranks or resumes, and changes every epoch. The epoch
    and seed live in a shared-memory tensor, so persistent dataloader
    workers see what the main process sets. :class:`EpochSeedSampler`
    calls :meth:`set_epoch`. Without a seed the global streams are used
    as they are.

    Undecodable files (:class:`ImageDecodeError`) do not stop training:
    the sample is replaced by another index drawn from (seed, epoch, idx,
    attempt), up to ``max_refetch`` times, and the skipped paths (each with
    the error's ``note`` in brackets where it has one: a too small image's
    size, a zip member's bad CRC-32, absence or size) are listed in the
    replacement's data-sample metainfo under ``skipped_images``, so
    that :class:`BrokenImageHook` can warn, count and bound them in the main
    process even when the dataset runs in dataloader workers.

    Args:
        data_root (str): Root folder of the images.
        ann_file (str): Optional file list, relative to ``data_root`` or
            absolute. Defaults to '' (search the folder).
        extensions (Sequence[str]): Image file extensions.
            Defaults to :data:`IMG_EXTENSIONS`.
        pipeline (Sequence[dict | Callable]): Transforms, built through
            mmpixpro's TRANSFORMS. Defaults to ().
        backend_args (dict, optional): mmengine file backend arguments of
            ``ann_file`` and the image root. Defaults to None (from the
            path's prefix: local for plain paths).
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``data_prefix``, ``indices``, ``serialize_data``,
            ``lazy_init``, ``max_refetch``, ...).

    Raises:
        FileNotFoundError: If ``ann_file`` or the (local) image root does
            not exist.
        ValueError: If no image is found or the file list is empty.
    """

    def __init__(self,
                 data_root: str,
                 ann_file: str = '',
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 backend_args: Optional[dict] = None,
                 **kwargs: Any) -> None:
        self.backend_args = backend_args
        self.extensions = normalise_extensions(extensions)
        # [epoch, seed, seed is set]; shared with the dataloader workers
        self._epoch_state = torch.zeros(3, dtype=torch.int64).share_memory_()
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            pipeline=pipeline,
            **kwargs)

    @property
    def img_root(self) -> str:
        """str: Folder that the image paths are relative to."""
        return self.data_prefix.get('img_path') or self.data_root or ''

    def load_data_list(self) -> List[dict]:
        """Find the images (or read the file list).

        Returns:
            list[dict]: ``{'img_path': absolute path or URI,
            'sample_idx': i}``.
        """
        root = self.img_root
        backend = fileio.get_file_backend(
            root, backend_args=self.backend_args, enable_singleton=True)
        local = isinstance(backend, LocalBackend)
        if local and not os.path.isdir(root):
            raise FileNotFoundError(
                f'image root {root!r} does not exist or is not a folder '
                '(check data_root / data_prefix)')
        if self.ann_file:
            paths = read_file_list(self.ann_file, self.backend_args)
            where = f'file list {self.ann_file!r}'
        elif not local:
            raise ValueError(
                f'image root {root!r} is not a local folder: only local '
                'folders are searched; give an ann_file (a file list)')
        else:
            paths = list_images(root, self.extensions)
            where = f'{root!r} (extensions {self.extensions})'
        if not paths:
            raise ValueError(f'no images found in {where}')
        if local:
            root, join = os.path.abspath(root), os.path.join
        else:  # an object store's URI
            join = posixpath.join
        return [
            dict(img_path=join(root, p), sample_idx=i)
            for i, p in enumerate(paths)
        ]

    def set_epoch(self, epoch: int, seed: Optional[int] = None) -> None:
        """Set the epoch (and seed) of the per-sample augmentation seeds.

        Args:
            epoch (int): Epoch number, >= 0.
            seed (int, optional): Experiment seed; None keeps the current
                one (or none). Defaults to None.
        """
        if epoch < 0:
            raise ValueError(f'epoch must be >= 0, got {epoch}')
        self._epoch_state[0] = epoch
        if seed is not None:
            self._epoch_state[1] = fold_seed(seed)
            self._epoch_state[2] = 1

    @property
    def epoch(self) -> int:
        """int: Current epoch of the augmentation seeds."""
        return int(self._epoch_state[0])

    @property
    def seed(self) -> Optional[int]:
        """int | None: Seed of the augmentations, None if not set."""
        return int(self._epoch_state[1]) if self._epoch_state[2] else None

    def __getitem__(self, idx: int) -> Any:
        """Sample ``idx``, replacing undecodable or too small images by others.

        Args:
            idx (int): Index in ``data_list``.

        Returns:
            Any: The pipeline output of ``idx`` or of its replacement.

        Raises:
            RuntimeError: If ``max_refetch`` replacements fail as well.
        """
        if not self._fully_initialized:
            self.full_init()
        skipped: List[str] = []
        for attempt in range(self.max_refetch + 1):
            try:
                data = self.prepare_data(idx)
            except ImageDecodeError as err:  # too small images as well
                path = self.get_data_info(idx)['img_path']
                skipped.append(f'{path} ({err.note})' if err.note else path)
                data = None
            if data is not None:
                return attach_skipped(data, skipped)
            idx = self.substitute_index(idx, attempt)
        raise RuntimeError(
            f'No usable sample after {self.max_refetch + 1} tries; '
            f'undecodable files: {skipped[:5]}')

    def substitute_index(self, idx: int, attempt: int) -> int:
        """The index that replaces a failed sample, reproducibly.

        Args:
            idx (int): The failed index.
            attempt (int): How many replacements were tried before.

        Returns:
            int: An index in ``[0, len(self))``.
        """
        epoch, seed, _ = self._epoch_state.tolist()
        rng = np.random.default_rng([seed, epoch, idx, attempt, 1])
        return int(rng.integers(len(self)))

    def prepare_data(self, idx: int) -> Any:
        """Run the pipeline on sample ``idx``, seeded if a seed is set.

        Args:
            idx (int): Index in ``data_list``.

        Returns:
            Any: The pipeline output (None if the pipeline dropped it).
        """
        data_info = self.get_data_info(idx)
        epoch, seed, seeded = self._epoch_state.tolist()
        if not seeded:
            return self.pipeline(data_info)
        with seeded_global_rngs(seed, epoch, idx):
            return self.pipeline(data_info)


def attach_skipped(data: Any, skipped: List[str]) -> Any:
    """List the skipped files in the data sample of a pipeline output.

    Args:
        data (Any): Pipeline output, normally ``{'inputs', 'data_samples'}``.
        skipped (list[str]): Undecodable files this sample replaced.

    Returns:
        Any: ``data``, its data sample's metainfo extended when possible.
    """
    if not skipped:
        return data
    sample = data.get('data_samples') if isinstance(data, dict) else None
    if sample is not None and hasattr(sample, 'set_metainfo'):
        sample.set_metainfo({SKIPPED_KEY: list(skipped)})
    return data
