# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixpro_runner import TMP_SUFFIX, PixProRunner

__all__ = ['PixProRunner', 'TMP_SUFFIX']
