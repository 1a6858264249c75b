# Copyright (c) mmpixpro contributors. All rights reserved.
from .curves import (DEFAULT_KEYS, find_scalars_file, load_runs,
                     load_scalars, moving_average, plot_curves, run_label)
from .similarity import (cosine_similarity_maps, draw_similarity_figure,
                         figure_to_array, original_bin_rectangles,
                         pick_queries, positive_bins, query_candidates,
                         query_positives, save_png, similarity_figure,
                         upsample_map)
from .tensorboard_backend import NoVisBackend, TensorboardIfInstalled

__all__ = [
    'cosine_similarity_maps', 'draw_similarity_figure', 'query_positives',
    'similarity_figure', 'query_candidates', 'pick_queries',
    'upsample_map', 'save_png', 'figure_to_array', 'positive_bins',
    'original_bin_rectangles', 'find_scalars_file', 'load_scalars',
    'load_runs', 'plot_curves', 'moving_average', 'run_label', 'DEFAULT_KEYS',
    'NoVisBackend', 'TensorboardIfInstalled'
]
