# Copyright (c) mmpixpro contributors. All rights reserved.
from .accumulation import (accumulative_counts, optim_wrappers,
                           optimizer_step_of, starts_optimizer_step)
from .lars import PixProLARS, lars_excluded
from .lr_scaling import LR_RULES, effective_batch_size, lr_scale_factor
from .non_finite_skip_optim_wrapper import (GuardedAmpOptimWrapper,
                                            GuardedOptimWrapper,
                                            NonFiniteGuardMixin,
                                            NonFiniteSkipAmpOptimWrapper,
                                            NonFiniteSkipOptimWrapper,
                                            all_ranks_finite)

__all__ = [
    'PixProLARS', 'lars_excluded', 'NonFiniteSkipOptimWrapper',
    'NonFiniteSkipAmpOptimWrapper', 'GuardedOptimWrapper',
    'GuardedAmpOptimWrapper', 'NonFiniteGuardMixin', 'all_ranks_finite',
    'accumulative_counts', 'optim_wrappers', 'optimizer_step_of',
    'starts_optimizer_step',
    'LR_RULES', 'effective_batch_size', 'lr_scale_factor'
]
