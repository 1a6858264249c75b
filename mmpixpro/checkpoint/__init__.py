# Copyright (c) mmpixpro contributors. All rights reserved.
"""The one home of checkpoint files: read, write, layouts, work dirs.

* reading (``reading``, ``archive``): weights-only loads with
  refusals naming the forbidden globals, CRC-32 verification of every
  record, a bound on inflated records; mmengine's local loader goes through
  it too (``mmengine_loader``);
* writing (``writing``): atomic ``.tmp``-and-rename, full-disk errors;
  detectron2's ``.pkl`` weights (``detectron2_pkl``);
* foreign layouts (``layouts``, ``resnet_layout``,
  ``key_check``): torchvision, mmpretrain, official PixPro, ours;
* the message hub as plain types (``message_hub``);
* a work dir's checkpoints (``work_dir``) and the values a state
  holds (``state``).

Needs torch only (mmengine where present), so the export tools run in a
detectron2 environment. Nothing else in mmpixpro opens checkpoint files.
"""
from .archive import MAX_INFLATED_ENV, check_archive
from .detectron2_pkl import load_d2_pkl, save_d2_pkl
from .errors import CheckpointCorruptError, CheckpointRefusedError
from .key_check import KeyMismatchError, check_keys_and_shapes, shapes_of
from .layouts import (BackboneMismatchError, MappedWeights, detect_format,
                      map_to_model, unwrap_state_dict)
from .message_hub import (from_plain, make_checkpoint_plain,
                          plain_message_hub, to_plain)
from .mmengine_loader import load_local_checkpoint
from .prefixes import BACKBONE_PREFIX, DDP_PREFIX, FPN_PREFIX, strip_prefix
from .reading import SAFE_GLOBALS, load_state_dict, safe_load
from .resnet_layout import (RESNET_LAYOUTS, check_resnet, infer_resnet_depth,
                            resnet_shapes, stage_channels)
from .state import (DIVERGED_ABOVE, diverged_entries, non_finite_entries,
                    unhealthy_entries)
from .work_dir import (LAST_CHECKPOINT, LastCheckpointError,
                       latest_checkpoint, saved_checkpoints)
from .writing import (TMP_SUFFIX, CheckpointSpaceError, atomic_target,
                      save_atomically, write_atomically)

__all__ = [
    'MAX_INFLATED_ENV', 'check_archive', 'CheckpointCorruptError',
    'CheckpointRefusedError', 'KeyMismatchError', 'check_keys_and_shapes',
    'shapes_of', 'BackboneMismatchError', 'MappedWeights', 'detect_format',
    'map_to_model', 'unwrap_state_dict', 'from_plain',
    'make_checkpoint_plain', 'plain_message_hub', 'to_plain',
    'load_local_checkpoint', 'BACKBONE_PREFIX', 'DDP_PREFIX', 'FPN_PREFIX',
    'strip_prefix', 'SAFE_GLOBALS', 'load_state_dict', 'safe_load',
    'RESNET_LAYOUTS', 'check_resnet', 'infer_resnet_depth', 'resnet_shapes',
    'stage_channels', 'DIVERGED_ABOVE', 'diverged_entries',
    'non_finite_entries', 'unhealthy_entries', 'LAST_CHECKPOINT',
    'LastCheckpointError',
    'latest_checkpoint', 'saved_checkpoints', 'TMP_SUFFIX',
    'CheckpointSpaceError', 'atomic_target', 'save_atomically',
    'write_atomically', 'load_d2_pkl', 'save_d2_pkl'
]
