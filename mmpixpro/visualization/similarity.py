# Copyright (c) mmpixpro contributors. All rights reserved.
"""Pixel-to-pixel similarity between two views, and its figure.

For a query bin ``(row, col)`` of view A the cosine similarity of its feature
to every bin of view B is shown over view B. When the crop boxes of the two
views are known, the original image with both boxes is drawn as well, and
the bins of view B that PixPro treats as positives of the query (normalised
distance below ``T``, see :mod:`mmpixpro.models.utils.box_geometry`) are
outlined: a well trained model puts its highest similarity there.
"""
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import Tensor

from mmpixpro.models.utils import bin_centers, positive_mask

ArrayLike = Union[Tensor, np.ndarray]
Query = Tuple[int, int]

BOX_COLORS = ('tab:red', 'tab:cyan')  # view A, view B
QUERY_COLOR = 'tab:red'
POSITIVE_COLOR = 'white'


def cosine_similarity_maps(feat_a: Tensor, feat_b: Tensor,
                           queries: Sequence[Query]) -> Tensor:
    """Cosine similarity of query pixels of view A to all pixels of view B.

    Args:
        feat_a (Tensor): Feature map of view A, (C, H_a, W_a).
        feat_b (Tensor): Feature map of view B, (C, H_b, W_b).
        queries (Sequence[tuple[int, int]]): ``(row, col)`` bins of view A.

    Returns:
        Tensor: Similarities of shape (Q, H_b, W_b), in [-1, 1].
    """
    if feat_a.dim() != 3 or feat_b.dim() != 3:
        raise ValueError('feature maps must be (C, H, W), got '
                         f'{tuple(feat_a.shape)} and {tuple(feat_b.shape)}')
    if feat_a.shape[0] != feat_b.shape[0]:
        raise ValueError(f'channel mismatch: {feat_a.shape[0]} vs '
                         f'{feat_b.shape[0]}')
    _, h_a, w_a = feat_a.shape
    _check_queries(queries, (h_a, w_a))
    rows = torch.tensor([q[0] for q in queries], dtype=torch.long)
    cols = torch.tensor([q[1] for q in queries], dtype=torch.long)
    query_feats = F.normalize(feat_a[:, rows, cols].t().float(), dim=1)
    feats_b = F.normalize(feat_b.float(), dim=0)  # (C, H_b, W_b)
    return torch.einsum('qc,chw->qhw', query_feats, feats_b)


def _check_queries(queries: Sequence[Query], size: Tuple[int, int]) -> None:
    """Raise a ValueError if a query lies outside a ``(H, W)`` grid."""
    if len(queries) == 0:
        raise ValueError('need at least one query')
    for row, col in queries:
        if not (0 <= row < size[0] and 0 <= col < size[1]):
            raise ValueError(f'query {(row, col)} outside the feature map '
                             f'of size {tuple(size)}')


def query_positives(boxes: ArrayLike,
                    feat_size_a: Tuple[int, int],
                    feat_size_b: Tuple[int, int],
                    queries: Sequence[Query],
                    threshold: float = 0.7) -> np.ndarray:
    """Positive bins of view B for each query bin of view A.

    Args:
        boxes (Tensor | np.ndarray): Crop boxes of views A and B, (2, 4).
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
        feat_size_b (tuple[int, int]): ``(H_b, W_b)`` of view B's features.
        queries (Sequence[tuple[int, int]]): ``(row, col)`` bins of view A.
        threshold (float): Distance threshold ``T``. Defaults to 0.7.

    Returns:
        np.ndarray: Boolean masks of shape (Q, H_b, W_b).
    """
    boxes = torch.as_tensor(np.asarray(boxes), dtype=torch.float32)
    pos = positive_mask(boxes[0:1], boxes[1:2], tuple(feat_size_a),
                        tuple(feat_size_b), threshold)[0]  # (La, Lb)
    idx = [row * feat_size_a[1] + col for row, col in queries]
    return pos[idx].view(len(queries), *feat_size_b).numpy() > 0


def positive_bins(boxes: ArrayLike, feat_size_a: Tuple[int, int],
                  feat_size_b: Tuple[int, int],
                  threshold: float = 0.7) -> np.ndarray:
    """Bins of view A with at least one positive bin in view B.

    These are the bins that PixPro's loss uses (a row of
    :func:`~mmpixpro.models.utils.positive_mask` with a non-zero entry).

    Args:
        boxes (Tensor | np.ndarray): Crop boxes of views A and B, (2, 4).
        feat_size_a (tuple[int, int]): ``(H_a, W_a)`` of view A's features.
        feat_size_b (tuple[int, int]): ``(H_b, W_b)`` of view B's features.
        threshold (float): Distance threshold ``T``. Defaults to 0.7.

    Returns:
        np.ndarray: Boolean mask of shape (H_a, W_a).
    """
    b = torch.as_tensor(np.asarray(boxes), dtype=torch.float32)
    pos = positive_mask(b[0:1], b[1:2], tuple(feat_size_a),
                        tuple(feat_size_b), threshold)[0]  # (La, Lb)
    return (pos.sum(1) > 0).view(*feat_size_a).numpy()


def query_candidates(boxes: np.ndarray, feat_size: Tuple[int, int],
                     threshold: float) -> np.ndarray:
    """Flat indices of :func:`positive_bins` (both maps ``feat_size``).

    Args:
        boxes (np.ndarray): Boxes of views A and B, (2, 4).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of both feature maps.
        threshold (float): Distance threshold T.

    Returns:
        np.ndarray: Flat (row-major) bin indices of view A.
    """
    return np.flatnonzero(
        positive_bins(boxes, feat_size, feat_size, threshold))


def pick_queries(candidates: np.ndarray, feat_size: Tuple[int, int],
                 num: int, rng: np.random.Generator) -> List[Tuple[int, int]]:
    """Choose query bins, preferring those with positives.

    Args:
        candidates (np.ndarray): Flat indices of bins with positives.
        feat_size (tuple[int, int]): ``(H_f, W_f)``.
        num (int): Number of queries (at most ``H_f * W_f``).
        rng (np.random.Generator): Random generator.

    Returns:
        list[tuple[int, int]]: ``(row, col)`` queries, sorted.
    """
    num = min(num, feat_size[0] * feat_size[1])
    chosen = list(rng.permutation(candidates)[:num])
    others = np.setdiff1d(np.arange(feat_size[0] * feat_size[1]), candidates)
    chosen += list(rng.permutation(others)[:num - len(chosen)])
    return [divmod(int(i), feat_size[1]) for i in sorted(chosen)]


def upsample_map(sim_map: ArrayLike, size: Tuple[int, int]) -> np.ndarray:
    """Bilinearly resize one (h, w) map to ``size`` = (H, W).

    Args:
        sim_map (Tensor | np.ndarray): Map of shape (h, w).
        size (tuple[int, int]): Output ``(H, W)``.

    Returns:
        np.ndarray: float32 map of shape (H, W).
    """
    t = torch.as_tensor(np.asarray(sim_map), dtype=torch.float32)
    t = F.interpolate(
        t[None, None], size=tuple(size), mode='bilinear', align_corners=False)
    return t[0, 0].numpy()


def box_to_pixels(box: ArrayLike,
                  img_size: Tuple[int, int]) -> Tuple[float, float, float,
                                                      float]:
    """A normalised crop box as a rectangle in image pixel coordinates.

    The box ``(x_ul, y_ul, x_lr, y_lr)`` is normalised by ``W - 1`` and
    ``H - 1`` with inclusive end pixels; a flipped box (``x_lr < x_ul``) is
    drawn as the same rectangle.

    Args:
        box (Tensor | np.ndarray): The box, (4,).
        img_size (tuple[int, int]): ``(H, W)`` of the original image.

    Returns:
        tuple[float, float, float, float]: ``(left, top, width, height)``
        in imshow coordinates (pixel centres at integers), width >= 0.
    """
    x_ul, y_ul, x_lr, y_lr = (float(v) for v in np.asarray(box))
    h, w = img_size
    xs = sorted((x_ul * (w - 1), x_lr * (w - 1)))
    ys = sorted((y_ul * (h - 1), y_lr * (h - 1)))
    return xs[0] - 0.5, ys[0] - 0.5, xs[1] - xs[0] + 1, ys[1] - ys[0] + 1


def bin_rectangle(row: int, col: int, feat_size: Tuple[int, int],
                  img_size: Tuple[int, int]) -> Tuple[float, float, float,
                                                      float]:
    """Rectangle of feature bin ``(row, col)`` in view pixel coordinates.

    Args:
        row (int): Bin row.
        col (int): Bin column.
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the feature map.
        img_size (tuple[int, int]): ``(H, W)`` of the view.

    Returns:
        tuple[float, float, float, float]: ``(left, top, width, height)``
        in imshow coordinates.
    """
    bin_h = img_size[0] / feat_size[0]
    bin_w = img_size[1] / feat_size[1]
    return col * bin_w - 0.5, row * bin_h - 0.5, bin_w, bin_h


def original_bin_rectangles(box: ArrayLike, feat_size: Tuple[int, int],
                            img_size: Tuple[int, int],
                            mask: np.ndarray) -> List[Tuple[float, float,
                                                            float, float]]:
    """Rectangles of some bins of a view in original-image pixels.

    Bin ``(row, col)`` is centred on its :func:`bin_centers` point and is
    ``|bin_w| x |bin_h|`` large, so a flipped box gives the same region.

    Args:
        box (Tensor | np.ndarray): The view's crop box, (4,).
        feat_size (tuple[int, int]): ``(H_f, W_f)`` of the view's features.
        img_size (tuple[int, int]): ``(H, W)`` of the original image.
        mask (np.ndarray): Boolean (H_f, W_f), the bins to return.

    Returns:
        list[tuple[float, float, float, float]]: ``(left, top, width,
        height)`` per selected bin, in row-major order.
    """
    box = torch.as_tensor(np.asarray(box), dtype=torch.float32)
    centers, _ = bin_centers(box[None], tuple(feat_size))  # (1, L, 2)
    h, w = img_size
    bin_w = abs(float(box[2] - box[0])) / feat_size[1] * (w - 1)
    bin_h = abs(float(box[3] - box[1])) / feat_size[0] * (h - 1)
    rects = []
    for idx in np.flatnonzero(np.asarray(mask)):
        cx, cy = centers[0, idx].tolist()
        rects.append((cx * (w - 1) - bin_w / 2, cy * (h - 1) - bin_h / 2,
                      bin_w, bin_h))
    return rects


def _add_rect(ax: Axes, rect: Tuple[float, float, float, float], color: str,
              linewidth: float = 2.0, linestyle: str = '-',
              label: Optional[str] = None) -> None:
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


def _draw_original(ax: Axes,
                   original: np.ndarray,
                   boxes: np.ndarray,
                   query: Query,
                   feat_size_a: Tuple[int, int],
                   bins_a: Optional[np.ndarray] = None) -> None:
    """Original image, both crop boxes and the query bin's centre.

    ``bins_a``, a boolean (H_a, W_a) mask of view A's bins, is shaded when
    given.
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


def _draw_view_a(ax: Axes, view_a: np.ndarray, query: Query,
                 feat_size_a: Tuple[int, int]) -> None:
    """View A with the query bin outlined."""
    ax.imshow(view_a)
    _add_rect(ax, bin_rectangle(*query, feat_size_a, view_a.shape[:2]),
              QUERY_COLOR, linewidth=2.5)
    ax.set_title(f'view A, query bin {tuple(query)}', fontsize=8)


def _draw_view_b(ax: Axes, view_b: np.ndarray, sim_map: np.ndarray,
                 positives: Optional[np.ndarray], alpha: float, cmap: str,
                 value_range: Optional[Tuple[float, float]]) -> None:
    """View B with the upsampled similarity map and the positive bins."""
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


def _draw_ppm(ax: Axes, view_a: np.ndarray, weights: np.ndarray,
              query: Query, alpha: float, cmap: str) -> None:
    """View A with the PPM weights s(x_q, x_j) of the query over it."""
    ax.imshow(view_a)
    overlay = ax.imshow(upsample_map(weights, view_a.shape[:2]), cmap=cmap,
                        alpha=alpha, vmin=0.0,
                        vmax=max(float(weights.max()), 1e-6))
    ax.figure.colorbar(overlay, ax=ax, fraction=0.046, pad=0.04)
    _add_rect(ax, bin_rectangle(*query, weights.shape, view_a.shape[:2]),
              QUERY_COLOR, linewidth=2.5)
    ax.set_title(f'view A, PPM weights s(q, j) of {tuple(query)}',
                 fontsize=8)


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
            the original image, (2, 4), normalised as in the PixPro spec.
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
    _check_queries(queries, tuple(feat_size_a))
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
            _draw_original(row_axes.pop(0), original, boxes, query,
                           tuple(feat_size_a), bins_a)
        _draw_view_a(row_axes[0], view_a, query, tuple(feat_size_a))
        _draw_view_b(row_axes[1], view_b, sim_maps[q],
                     None if positives is None else positives[q], alpha,
                     cmap, value_range)
        if ppm_maps is not None:
            _draw_ppm(row_axes[2], view_a, ppm_maps[q], query, alpha, cmap)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def figure_to_array(fig: Figure, dpi: int = 100) -> np.ndarray:
    """Render a figure headless (Agg) into an RGB array.

    Args:
        fig (Figure): The figure.
        dpi (int): Resolution, as for :func:`save_png`. Defaults to 100.

    Returns:
        np.ndarray: (H, W, 3) ``uint8``, the pixels :func:`save_png` would
        write.
    """
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def save_png(fig: Figure, out_path: str, dpi: int = 100) -> str:
    """Save a figure as PNG, creating its folder.

    Figures are made with :class:`matplotlib.figure.Figure` directly (no
    pyplot), so saving is headless (Agg) and leaves the global backend
    alone.

    Args:
        fig (Figure): The figure.
        out_path (str): Destination file.
        dpi (int): Resolution. Defaults to 100.

    Returns:
        str: ``out_path``.
    """
    folder = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(out_path, dpi=dpi, format='png')
    return out_path
