# Copyright (c) mmpixpro contributors. All rights reserved.
"""The panels of a similarity figure, one ``Axes`` each: the original
image with both crop boxes, view A with the query bin, view B under the
query's similarity map, view A under the query's PPM weights."""
from typing import Optional, Tuple

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from mmpixpro.models.utils import bin_centers
from .bin_rectangles import (Rect, bin_rectangle, box_to_pixels,
                             original_bin_rectangles)
from .similarity import Query, upsample_map

BOX_COLORS = ('tab:red', 'tab:cyan')  # view A, view B
QUERY_COLOR = 'tab:red'
POSITIVE_COLOR = 'white'


def _add_rect(ax: Axes, rect: Rect, color: str, linewidth: float = 2.0,
              linestyle: str = '-', label: Optional[str] = None) -> None:
    """Draw an unfilled ``(left, top, width, height)`` rectangle."""
    left, top, width, height = rect
    ax.add_patch(
        Rectangle((left, top),
                  width,
                  height,
                  fill=False,
                  edgecolor=color,
                  linewidth=linewidth,
                  linestyle=linestyle,
                  label=label))


def _shade_bins(ax: Axes, original: np.ndarray, box: np.ndarray,
                feat_size: Tuple[int, int], mask: np.ndarray) -> None:
    """Shade the ``mask`` bins of a view (``gid='positive_bin'``)."""
    rects = original_bin_rectangles(box, feat_size, original.shape[:2], mask)
    for k, (left, top, width, height) in enumerate(rects):
        ax.add_patch(
            Rectangle((left, top),
                      width,
                      height,
                      facecolor=BOX_COLORS[0],
                      edgecolor=POSITIVE_COLOR,
                      alpha=0.35,
                      linewidth=0.5,
                      gid='positive_bin',
                      label=None if k else 'A bins with a positive'))


def draw_original_panel(ax: Axes,
                        original: np.ndarray,
                        boxes: np.ndarray,
                        query: Query,
                        feat_size_a: Tuple[int, int],
                        bins_a: Optional[np.ndarray] = None) -> None:
    """Original image, both crop boxes and the query bin's centre.

    A flipped box is labelled so; a dot marks the corner that becomes the
    view's top-left pixel.

    Args:
        ax (Axes): The panel.
        original (np.ndarray): Original image, (H, W, 3) ``uint8``.
        boxes (np.ndarray): Crop boxes of views A and B, (2, 4).
        query (tuple[int, int]): ``(row, col)`` bin of view A.
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
        bins_a (np.ndarray, optional): Boolean (H_a, W_a) mask of view A's
            bins to shade.
    """
    img_size = original.shape[:2]
    ax.imshow(original)
    if bins_a is not None:
        _shade_bins(ax, original, boxes[0], feat_size_a, bins_a)
    for k, (box, color) in enumerate(zip(boxes, BOX_COLORS)):
        flipped = box[2] < box[0]
        label = f"view {'AB'[k]}" + (' (flipped)' if flipped else '')
        _add_rect(ax, box_to_pixels(box, img_size), color, label=label)
        # mark the corner that becomes the view's top-left pixel
        ax.plot(box[0] * (img_size[1] - 1), box[1] * (img_size[0] - 1), 'o',
                color=color, markersize=5)
    centers, _ = bin_centers(
        torch.as_tensor(boxes[0:1], dtype=torch.float32), feat_size_a)
    cx, cy = centers[0, query[0] * feat_size_a[1] + query[1]].tolist()
    ax.plot(cx * (img_size[1] - 1), cy * (img_size[0] - 1), 'x',
            color=QUERY_COLOR, markersize=9, markeredgewidth=2)
    ax.legend(loc='lower right', fontsize=6, framealpha=0.6)
    title = 'original: boxes, query centre (x)'
    if bins_a is not None:  # shorter, to fit the panel
        title = f'original: boxes, query (x), {int(np.sum(bins_a))} shaded'
    ax.set_title(title, fontsize=8)


def draw_view_a_panel(ax: Axes, view_a: np.ndarray, query: Query,
                      feat_size_a: Tuple[int, int]) -> None:
    """View A with the query bin outlined.

    Args:
        ax (Axes): The panel.
        view_a (np.ndarray): View A, (H, W, 3) ``uint8`` RGB.
        query (tuple[int, int]): ``(row, col)`` bin of view A.
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
    """
    ax.imshow(view_a)
    _add_rect(ax, bin_rectangle(*query, feat_size_a, view_a.shape[:2]),
              QUERY_COLOR, linewidth=2.5)
    ax.set_title(f'view A, query bin {tuple(query)}', fontsize=8)


def draw_view_b_panel(ax: Axes, view_b: np.ndarray, sim_map: np.ndarray,
                      positives: Optional[np.ndarray], alpha: float,
                      cmap: str,
                      value_range: Optional[Tuple[float, float]]) -> None:
    """View B with the upsampled similarity map and the positive bins.

    Args:
        ax (Axes): The panel.
        view_b (np.ndarray): View B, (H, W, 3) ``uint8`` RGB.
        sim_map (np.ndarray): The query's similarities, (H_b, W_b).
        positives (np.ndarray, optional): Boolean (H_b, W_b) mask of the
            query's positive bins, outlined (dashed).
        alpha (float): Opacity of the overlay.
        cmap (str): Matplotlib colour map.
        value_range (tuple[float, float], optional): Colour range; None:
            the map's own min and max.
    """
    ax.imshow(view_b)
    upsampled = upsample_map(sim_map, view_b.shape[:2])
    vmin, vmax = value_range or (float(sim_map.min()), float(sim_map.max()))
    overlay = ax.imshow(
        upsampled, cmap=cmap, alpha=alpha, vmin=vmin, vmax=vmax)
    ax.figure.colorbar(overlay, ax=ax, fraction=0.046, pad=0.04)
    title = f'view B, cosine sim. (max {float(sim_map.max()):.2f})'
    if positives is not None:
        for row, col in zip(*np.nonzero(positives)):
            _add_rect(ax, bin_rectangle(int(row), int(col), sim_map.shape,
                                        view_b.shape[:2]), POSITIVE_COLOR,
                      linewidth=1.0, linestyle='--')
        num = int(positives.sum())
        title += f", {num} positive{'' if num == 1 else 's'}"
    ax.set_title(title, fontsize=8)


def draw_ppm_panel(ax: Axes, view_a: np.ndarray, weights: np.ndarray,
                   query: Query, alpha: float, cmap: str) -> None:
    """View A with the PPM weights s(x_q, x_j) of the query over it.

    Args:
        ax (Axes): The panel.
        view_a (np.ndarray): View A, (H, W, 3) ``uint8`` RGB.
        weights (np.ndarray): s(x_q, x_j) over view A's grid, (H_a, W_a).
        query (tuple[int, int]): ``(row, col)`` bin of view A.
        alpha (float): Opacity of the overlay.
        cmap (str): Matplotlib colour map.
    """
    ax.imshow(view_a)
    overlay = ax.imshow(upsample_map(weights, view_a.shape[:2]), cmap=cmap,
                        alpha=alpha, vmin=0.0,
                        vmax=max(float(weights.max()), 1e-6))
    ax.figure.colorbar(overlay, ax=ax, fraction=0.046, pad=0.04)
    _add_rect(ax, bin_rectangle(*query, weights.shape, view_a.shape[:2]),
              QUERY_COLOR, linewidth=2.5)
    ax.set_title(f'view A, PPM weights s(q, j) of {tuple(query)}',
                 fontsize=8)
