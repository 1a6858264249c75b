# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixpro import PixPro

__all__ = ['PixPro']
