# Copyright (c) mmpixpro contributors. All rights reserved.
"""Rendering figures headless (Agg): to an RGB array, or to a PNG file.

Figures are made with :class:`matplotlib.figure.Figure` directly (no
pyplot), so rendering leaves the global backend alone.
"""
import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


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
