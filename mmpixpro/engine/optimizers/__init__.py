# Copyright (c) mmpixpro contributors. All rights reserved.
from .lars import LARS, lars_excluded

__all__ = ['LARS', 'lars_excluded']
