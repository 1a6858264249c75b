# Copyright (c) mmpixpro contributors. All rights reserved.
from .config_check import ConfigError, check_config
from .data_root_check import DataRootError, check_data_root
from .epochs import set_max_epochs
from .foreign_checkpoint import MappedWeights, detect_format, map_to_model
from .safe_checkpoint import (SAFE_GLOBALS, CheckpointRefusedError,
                              make_checkpoint_plain, safe_load)
from .setup_env import register_all_modules
from .train_setup import (setup_amp, setup_resume, setup_sync_bn,
                          setup_tensorboard)

__all__ = [
    'register_all_modules', 'setup_amp',
    'setup_resume', 'setup_sync_bn', 'setup_tensorboard',
    'ConfigError', 'check_config', 'DataRootError', 'check_data_root',
    'MappedWeights', 'detect_format', 'map_to_model', 'SAFE_GLOBALS',
    'CheckpointRefusedError', 'make_checkpoint_plain', 'safe_load',
    'set_max_epochs'
]
