# Copyright (c) mmpixpro contributors. All rights reserved.
from .broken_image_hook import BrokenImageHook, TooManyBrokenImagesError
from .checkpoint_hook import NonFiniteStateError, SafeCheckpointHook
from .crop_fallback_hook import CropFallbackHook
from .dense_probe_hook import DenseProbeHook
from .iteration_seed_hook import IterationSeedHook, iteration_seed
from .momentum_hook import CosineMomentumHook, MomentumHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .pixpro_visualization_hook import PixProVisualizationHook
from .swav_queue_hook import SwAVQueueHook
from .r2o_cluster_hook import R2OClusterHook, cluster_schedule

__all__ = [
    'R2OClusterHook', 'cluster_schedule',
    'MomentumHook', 'CosineMomentumHook', 'SafeCheckpointHook',
    'NonFiniteStateError',
    'BrokenImageHook', 'CropFallbackHook',
    'TooManyBrokenImagesError', 'NonFiniteLossError', 'NonFiniteLossHook',
    'DenseProbeHook', 'IterationSeedHook', 'iteration_seed',
    'PixProVisualizationHook', 'SwAVQueueHook'
]
