# Copyright (c) mmpixpro contributors. All rights reserved.
from .guarded_optim_wrapper import (GuardedAmpOptimWrapper,
                                    GuardedOptimWrapper, NonFiniteGuardMixin,
                                    all_ranks_finite)
from .lars import PixProLARS, lars_excluded

__all__ = [
    'PixProLARS', 'lars_excluded', 'GuardedOptimWrapper',
    'GuardedAmpOptimWrapper', 'NonFiniteGuardMixin', 'all_ranks_finite'
]
