# Copyright (c) mmpixpro contributors. All rights reserved.
from .momentum_hook import CosineMomentumHook
from .plain_checkpoint_hook import PlainCheckpointHook

__all__ = ['CosineMomentumHook', 'PlainCheckpointHook']
