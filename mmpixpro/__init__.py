# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmpixpro: pixel-level self-supervised pretraining (PixPro) on OpenMMLab.

Importing the package is cheap: it imports no mmdet/mmseg and no GPU code.
Components are registered when their sub-packages are imported, which
:func:`mmpixpro.utils.register_all_modules` does for you.
"""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
