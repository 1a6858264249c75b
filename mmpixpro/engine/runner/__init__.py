# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixpro_runner import PixProRunner

__all__ = ['PixProRunner']
