# Copyright (c) mmpixpro contributors. All rights reserved.
from .bin_rectangles import original_bin_rectangles
from .curves import (DEFAULT_KEYS, find_scalars_file, load_runs,
                     load_scalars, moving_average, plot_curves, run_label)
from .png import figure_to_array, save_png
from .query_bins import (pick_queries, positive_bins, query_candidates,
                         query_positives)
from .similarity import cosine_similarity_maps, upsample_map
from .similarity_figure import draw_similarity_figure, similarity_figure
from .tensorboard_backend import NoVisBackend, TensorboardIfInstalled

__all__ = [
    'cosine_similarity_maps', 'draw_similarity_figure', 'query_positives',
    'similarity_figure', 'query_candidates', 'pick_queries',
    'upsample_map', 'save_png', 'figure_to_array', 'positive_bins',
    'original_bin_rectangles', 'find_scalars_file', 'load_scalars',
    'load_runs', 'plot_curves', 'moving_average', 'run_label', 'DEFAULT_KEYS',
    'NoVisBackend', 'TensorboardIfInstalled'
]
