# Copyright (c) mmpixpro contributors. All rights reserved.
"""Key prefixes of the state dicts mmpixpro reads and writes."""
from typing import Dict, Mapping

from torch import Tensor

BACKBONE_PREFIX = 'backbone.'
FPN_PREFIX = 'fpn.'
DDP_PREFIX = 'module.'  # DistributedDataParallel


def strip_prefix(state_dict: Mapping[str, Tensor],
                 prefix: str) -> Dict[str, Tensor]:
    """The entries under ``prefix``, with the prefix removed.

    Args:
        state_dict (Mapping[str, Tensor]): Full state_dict.
        prefix (str): e.g. ``'backbone.'``.

    Returns:
        dict[str, Tensor]: The selected entries.
    """
    return {k[len(prefix):]: v for k, v in state_dict.items()
            if k.startswith(prefix)}
