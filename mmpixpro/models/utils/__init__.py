# Copyright (c) mmpixpro contributors. All rights reserved.
from .box_geometry import (bin_centers, grid_boxes, normalized_bin_distance,
                           positive_mask)
from .feature_probe import probe_feature_channels
from .grid_stride import backbone_grid_stride
from .momentum_encoder import (MomentumEncoder, cosine_momentum,
                               current_momentum, momentum_encoders,
                               momentum_held, momentum_property,
                               set_momentum)
from .overlap_sampling import (overlap_boxes, overlap_points, sample_overlap,
                               view_grid)
from .pixel_mlp import build_pixel_mlp
from .region_swap import SwapBox, draw_swap_box, swap_regions
from .kmeans import kmeans, kmeans_pp_init
from .region_masks import (box_edges, cut_masks, masked_average_pool,
                           one_hot_masks)

__all__ = [
    'SwapBox', 'draw_swap_box', 'swap_regions',
    'overlap_boxes', 'overlap_points', 'sample_overlap', 'view_grid',
    'kmeans', 'kmeans_pp_init', 'box_edges', 'cut_masks',
    'masked_average_pool', 'one_hot_masks',
    'bin_centers', 'grid_boxes', 'normalized_bin_distance', 'positive_mask',
    'MomentumEncoder', 'cosine_momentum', 'current_momentum',
    'momentum_encoders', 'momentum_held', 'momentum_property',
    'set_momentum',
    'build_pixel_mlp', 'probe_feature_channels', 'backbone_grid_stride'
]
