# Copyright (c) mmpixpro contributors. All rights reserved.
# Register mmpretrain's transforms (PackInputs, ...) in the parent registry,
# so that mmpixpro's TRANSFORMS finds them by name.
import mmpretrain.datasets.transforms  # noqa: F401

from .data_root_check import (DataRootError, DatasetTooSmallError,
                              check_data_root)
from .file_list import FileListError, read_file_list, write_file_list
from .image_folder import (IMG_EXTENSIONS, UnlabeledImageFolder, list_images,
                           normalise_extensions)
from .samplers import EpochSeedSampler
from .seeding import pixpro_worker_init_fn, seeded_global_rngs
from .transforms import *  # noqa: F401,F403
from .zip_archive import (ZipArchiveBackend, ZipNotFoundError, ZipReadError,
                          pack_zip_shards)

__all__ = [
    'UnlabeledImageFolder', 'IMG_EXTENSIONS', 'EpochSeedSampler',
    'pixpro_worker_init_fn', 'seeded_global_rngs', 'DataRootError',
    'DatasetTooSmallError', 'check_data_root', 'FileListError',
    'read_file_list', 'write_file_list', 'list_images',
    'normalise_extensions', 'ZipArchiveBackend', 'ZipReadError',
    'ZipNotFoundError', 'pack_zip_shards'
]
