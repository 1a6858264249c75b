# Copyright (c) mmpixpro contributors. All rights reserved.
from .pixpro import PixPro
from .pixpro_instance import PixProInstance

__all__ = ['PixPro', 'PixProInstance']
