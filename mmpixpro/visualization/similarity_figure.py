# Copyright (c) mmpixpro contributors. All rights reserved.
"""The similarity figure: one row per query bin of view A.

For a query bin ``(row, col)`` of view A the cosine similarity of its feature
to every bin of view B is shown over view B. When the crop boxes of the two
views are known, the original image with both boxes is drawn as well, and
the bins of view B that PixPro treats as positives of the query (normalised
distance below ``T``, see :mod:`mmpixpro.models.utils.box_geometry`) are
outlined: a well trained model puts its highest similarity there.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from matplotlib.figure import Figure

from .png import save_png
from .query_bins import positive_bins, query_positives
from .similarity import ArrayLike, Query, check_queries
from .similarity_panels import (draw_original_panel, draw_ppm_panel,
                                draw_view_a_panel, draw_view_b_panel)


def draw_similarity_figure(view_a: np.ndarray, view_b: np.ndarray,
                           sim_maps: ArrayLike, queries: Sequence[Query],
                           feat_size_a: Tuple[int, int], out_path: str,
                           **kwargs) -> str:
    """:func:`similarity_figure` saved as a PNG at ``out_path``.

    Args:
        view_a, view_b, sim_maps, queries, feat_size_a: As in
            :func:`similarity_figure`.
        out_path (str): Where the PNG goes; folders are created.
        **kwargs: Further arguments of :func:`similarity_figure`.

    Returns:
        str: ``out_path``.
    """
    return save_png(
        similarity_figure(view_a, view_b, sim_maps, queries, feat_size_a,
                          **kwargs), out_path)


def similarity_figure(view_a: np.ndarray,
                      view_b: np.ndarray,
                      sim_maps: ArrayLike,
                      queries: Sequence[Query],
                      feat_size_a: Tuple[int, int],
                      original: Optional[np.ndarray] = None,
                      boxes: Optional[ArrayLike] = None,
                      positives: Optional[ArrayLike] = None,
                      ppm_maps: Optional[ArrayLike] = None,
                      alpha: float = 0.5,
                      cmap: str = 'jet',
                      threshold: float = 0.7,
                      value_range: Optional[Tuple[float, float]] = (-1.0,
                                                                    1.0),
                      shade_positive_bins: bool = False) -> Figure:
    """One row per query: [original,] view A, view B similarity[, PPM].

    Each row is 3.6 x 3.2 inches per panel, so at 100 dpi the picture is
    ``(360 * columns) x (320 * Q)`` pixels.

    Each row shows view A with the query bin outlined and view B with the
    query's similarity map (bilinearly upsampled, with a colour bar)
    overlaid. With ``original`` and ``boxes`` a first panel shows the
    original image with both crop boxes (a flipped box is labelled so; a dot
    marks the corner that becomes the view's top-left pixel) and the centre
    of the query bin, and the positive bins of view B for the query are
    outlined (dashed).

    Args:
        view_a (np.ndarray): View A, (H, W, 3) ``uint8`` RGB.
        view_b (np.ndarray): View B, (H, W, 3) ``uint8`` RGB.
        sim_maps (Tensor | np.ndarray): Similarities (Q, H_b, W_b), e.g.
            from :func:`cosine_similarity_maps`.
        queries (Sequence[tuple[int, int]]): ``(row, col)`` bins of view A.
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
        original (np.ndarray, optional): Original image, (H, W, 3) ``uint8``.
        boxes (Tensor | np.ndarray, optional): Crop boxes of views A and B in
            the original image, (2, 4): ``(x_ul, y_ul, x_lr, y_lr)``
            normalised by ``W - 1`` and ``H - 1``.
        positives (Tensor | np.ndarray, optional): Boolean masks of the
            positive bins of view B, (Q, H_b, W_b). Computed from ``boxes``
            with ``T = threshold`` when None and ``boxes`` is given.
        ppm_maps (Tensor | np.ndarray, optional): Pixel-propagation weights
            s(x_q, x_j) of each query over view A's own grid, (Q, H_a, W_a);
            drawn over view A in a last column.
        alpha (float): Opacity of the similarity overlay. Defaults to 0.5.
        cmap (str): Matplotlib colour map. Defaults to 'jet'.
        threshold (float): ``T`` for the positives. Defaults to 0.7.
        value_range (tuple[float, float], optional): Colour range of the
            similarities; None scales each map to its own min and max.
            Defaults to (-1, 1).
        shade_positive_bins (bool): Shade, on the original image, the bins
            of view A that have at least one positive in view B
            (:func:`positive_bins`, the bins PixPro's loss uses). Defaults
            to False.

    Returns:
        Figure: The figure (not saved).
    """
    sim_maps = np.asarray(torch.as_tensor(sim_maps).detach().float().cpu())
    if sim_maps.ndim != 3 or len(sim_maps) != len(queries):
        raise ValueError(f'sim_maps must be (Q={len(queries)}, H_b, W_b), '
                         f'got {sim_maps.shape}')
    check_queries(queries, tuple(feat_size_a))
    if boxes is not None:
        boxes = np.asarray(torch.as_tensor(np.asarray(boxes)).float())
        if positives is None:
            positives = query_positives(boxes, feat_size_a,
                                        sim_maps.shape[1:], queries,
                                        threshold)
    if positives is not None:
        positives = np.asarray(positives).astype(bool)
    with_original = original is not None and boxes is not None
    bins_a = None
    if with_original and shade_positive_bins:
        bins_a = positive_bins(boxes, feat_size_a, sim_maps.shape[1:],
                               threshold)

    if ppm_maps is not None:
        ppm_maps = np.asarray(torch.as_tensor(ppm_maps).detach().float())
    num_cols = 2 + with_original + (ppm_maps is not None)
    fig = Figure(figsize=(3.6 * num_cols, 3.2 * len(queries)))
    axes = fig.subplots(len(queries), num_cols, squeeze=False)
    for q, query in enumerate(queries):
        row_axes = list(axes[q])
        if with_original:
            draw_original_panel(row_axes.pop(0), original, boxes, query,
                                tuple(feat_size_a), bins_a)
        draw_view_a_panel(row_axes[0], view_a, query, tuple(feat_size_a))
        draw_view_b_panel(row_axes[1], view_b, sim_maps[q],
                          None if positives is None else positives[q],
                          alpha, cmap, value_range)
        if ppm_maps is not None:
            draw_ppm_panel(row_axes[2], view_a, ppm_maps[q], query, alpha,
                           cmap)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig
