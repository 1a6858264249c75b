# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmengine's loader of local checkpoint files, replaced by :func:`safe_load`.

``init_cfg=dict(type='Pretrained', checkpoint=PATH)``, ``load_checkpoint``
and every other mmengine path that reads a local file go through
``CheckpointLoader``'s scheme ``''``, which calls ``torch.load`` without
``weights_only``: with ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` in the
environment that unpickles anything. Importing mmpixpro's checkpoint package
registers :func:`load_local_checkpoint` for that scheme (mmengine's
documented extension point, ``CheckpointLoader.register_scheme``), so those
reads are verified and weights-only whatever the environment says.
"""
import os.path as osp
from typing import Any, Union

from .reading import safe_load

try:
    from mmengine.runner.checkpoint import CheckpointLoader
except ImportError:  # torch-only environment: no mmengine loader to replace
    CheckpointLoader = None


def load_local_checkpoint(filename: str,
                          map_location: Union[str, Any] = None) -> Any:
    """mmengine's local-file scheme, through :func:`safe_load`.

    Args:
        filename (str): Local checkpoint file (``~`` expanded).
        map_location (str | callable, optional): As for ``torch.load``;
            None keeps the saved devices as mmengine does.

    Returns:
        Any: The loaded checkpoint.
    """
    return safe_load(osp.expanduser(filename), map_location)


if CheckpointLoader is not None:
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
