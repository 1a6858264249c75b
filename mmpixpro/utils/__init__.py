# Copyright (c) mmpixpro contributors. All rights reserved.
from .setup_env import register_all_modules
from .train_setup import setup_amp, setup_resume

__all__ = ['register_all_modules', 'setup_amp', 'setup_resume']
