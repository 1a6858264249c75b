# Copyright (c) mmpixpro contributors. All rights reserved.
from .config_check import ConfigError, check_config
from .epochs import set_max_epochs
from .setup_env import register_all_modules
from .train_setup import (NothingToResumeError, setup_amp, setup_resume,
                          setup_sync_bn)

__all__ = [
    'register_all_modules', 'setup_amp', 'setup_resume', 'setup_sync_bn',
    'ConfigError', 'check_config', 'set_max_epochs', 'NothingToResumeError'
]
