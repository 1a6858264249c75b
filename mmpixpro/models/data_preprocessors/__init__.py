# Copyright (c) mmpixpro contributors. All rights reserved.
from .multi_view_preprocessor import MultiViewDataPreprocessor, size_groups

__all__ = ['MultiViewDataPreprocessor', 'size_groups']
