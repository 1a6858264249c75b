# Copyright (c) mmpixpro contributors. All rights reserved.
from .accumulation import (MomentumPerStepMixin, accumulative_counts,
                           optim_wrappers, optimizer_step_of)
from .guarded_optim_wrapper import (GuardedAmpOptimWrapper,
                                    GuardedOptimWrapper, NonFiniteGuardMixin,
                                    all_ranks_finite)
from .lars import PixProLARS, lars_excluded
from .lr_scaling import LR_RULES, effective_batch_size, lr_scale_factor

__all__ = [
    'PixProLARS', 'lars_excluded', 'GuardedOptimWrapper',
    'GuardedAmpOptimWrapper', 'NonFiniteGuardMixin', 'all_ranks_finite',
    'MomentumPerStepMixin', 'accumulative_counts', 'optim_wrappers',
    'optimizer_step_of',
    'LR_RULES', 'effective_batch_size', 'lr_scale_factor'
]
