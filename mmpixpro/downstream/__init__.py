# Copyright (c) mmpixpro contributors. All rights reserved.
"""Pieces for fine-tuning in mmdet/mmseg (their own environment).

``mmdet_modules`` registers into mmdet's registries and is imported by the
benchmark configs through ``custom_imports``; ``demo_scale`` edits a
benchmark config for the tiny generated sets. Nothing here is imported by
``mmpixpro`` itself, so mmdet/mmseg stay optional.
"""
