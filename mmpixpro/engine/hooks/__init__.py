# Copyright (c) mmpixpro contributors. All rights reserved.
from .broken_image_hook import BrokenImageHook, TooManyBrokenImagesError
from .dense_probe_hook import DenseProbeHook
from .momentum_hook import CosineMomentumHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .param_consistency_hook import ParamConsistencyHook
from .pixpro_visualization_hook import PixProVisualizationHook
from .plain_checkpoint_hook import PlainCheckpointHook

__all__ = [
    'CosineMomentumHook', 'PlainCheckpointHook', 'BrokenImageHook',
    'TooManyBrokenImagesError', 'NonFiniteLossError', 'NonFiniteLossHook',
    'ParamConsistencyHook', 'DenseProbeHook',
    'PixProVisualizationHook'
]
