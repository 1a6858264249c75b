# Copyright (c) mmpixpro contributors. All rights reserved.
"""Training curves from mmengine's ``scalars.json`` logs.

The Runner writes ``WORK_DIR/<timestamp>/vis_data/scalars.json``, one JSON
object per line (``loss``, ``lr``, ``momentum``, ..., with ``iter`` and/or
``step``). These functions find such a file, read it into one series per
key and draw several runs on top of each other.
"""
import glob
import json
import os
import warnings
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.figure import Figure

from .png import save_png

# where the Runner writes the scalars of a run
SCALARS_LAYOUT = 'WORK_DIR/<timestamp>/vis_data/scalars.json'
# x axis candidates, in order of preference; never plotted as curves
X_KEYS = ('iter', 'step')
SHORT_SERIES = 30  # series this short: point markers, never smoothed
# loss/schedules of every run, and the dense probe of DenseProbeHook
DEFAULT_KEYS = ('loss', 'lr', 'momentum', 'probe/mIoU', 'probe/knn_mIoU')
Series = Tuple[np.ndarray, np.ndarray]  # (x, y)


def find_scalars_file(path: str) -> str:
    """Locate the ``scalars.json`` of a run.

    Accepts the file itself, a work dir (the newest
    ``*/vis_data/scalars.json`` under it), a timestamp folder
    (``vis_data/scalars.json``) or a ``vis_data`` folder.

    Args:
        path (str): File or folder.

    Returns:
        str: Path of the scalars file.

    Raises:
        FileNotFoundError: If nothing is found; the message names the
            places searched.
    """
    if os.path.isfile(path):
        return path
    if not os.path.isdir(path):
        raise FileNotFoundError(
            f'{path!r} is neither a scalars.json file nor a folder')
    patterns = [
        os.path.join(path, '*', 'vis_data', 'scalars.json'),
        os.path.join(path, 'vis_data', 'scalars.json'),
        os.path.join(path, 'scalars.json'),
    ]
    found = [f for pattern in patterns for f in glob.glob(pattern)]
    if not found:
        raise FileNotFoundError('no scalars.json found; looked for ' +
                                ', '.join(repr(p) for p in patterns))
    # newest run: latest modification, then the latest timestamp name
    return max(found, key=lambda f: (os.path.getmtime(f), f))


def load_scalars(path: str) -> Dict[str, Series]:
    """Read a ``scalars.json`` into one (x, y) series per key.

    x is ``iter`` where a line has it, else ``step``; lines with neither are
    skipped, as are non-numeric values and a malformed (e.g. half-written)
    line, with a warning.

    Args:
        path (str): The scalars file.

    Returns:
        dict[str, tuple[np.ndarray, np.ndarray]]: For every key other than
        ``iter``/``step``, float64 arrays ``(x, y)`` in file order.

    Raises:
        ValueError: If ``path`` is a binary file (e.g. a ``.pth``
            checkpoint); the message names it and the file expected.
    """
    points: Dict[str, Tuple[List[float], List[float]]] = {}
    for num, line in enumerate(_text_lines(path), start=1):
        record = _parse_line(line, path, num)
        if record is None:
            continue
        x = _x_value(record)
        if x is None:
            continue
        for key, value in record.items():
            if key in X_KEYS or not _is_number(value):
                continue
            xs, ys = points.setdefault(key, ([], []))
            xs.append(x)
            ys.append(float(value))
    return {
        key: (np.asarray(xs, dtype=np.float64),
              np.asarray(ys, dtype=np.float64))
        for key, (xs, ys) in points.items()
    }


def _text_lines(path: str) -> Iterator[str]:
    """The lines of a text file; :func:`_not_a_log` when it is binary."""
    with open(path, encoding='utf-8') as f:
        try:
            for line in f:
                if '\x00' in line:  # decodes as UTF-8, but is no text
                    raise _not_a_log(path)
                yield line
        except UnicodeDecodeError as err:
            raise _not_a_log(path) from err


def _not_a_log(path: str) -> ValueError:
    """The error for a binary file (e.g. a checkpoint) given as a log."""
    return ValueError(
        f'{path!r} is not a training log but a binary file: expected '
        f"mmengine's scalars.json ({SCALARS_LAYOUT}, one JSON object per "
        'line, or the <timestamp>.json log beside it) or the work dir '
        'holding it')


def _parse_line(line: str, path: str, num: int) -> Optional[dict]:
    """One JSON object per line; None for a blank or malformed line."""
    line = line.strip()
    if not line:
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        warnings.warn(f'{path}:{num}: skipping a malformed line')
        return None
    return record if isinstance(record, dict) else None


def _x_value(record: dict) -> Optional[float]:
    """The x coordinate of a record: ``iter``, else ``step``, else None."""
    for key in X_KEYS:
        if _is_number(record.get(key)):
            return float(record[key])
    return None


def _is_number(value: object) -> bool:
    """Whether a JSON value is a finite or infinite real (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` points (fewer at the start).

    Args:
        values (np.ndarray): The series, (L,).
        window (int): Window length; 1 leaves the series unchanged.

    Returns:
        np.ndarray: Smoothed series, (L,).
    """
    if window < 1:
        raise ValueError(f'window must be >= 1, got {window}')
    values = np.asarray(values, dtype=np.float64)
    if window == 1 or values.size == 0:
        return values
    csum = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, values.size + 1)
    starts = np.maximum(ends - window, 0)
    return (csum[ends] - csum[starts]) / (ends - starts)


def run_label(scalars_path: str) -> str:
    """Default legend label: the work dir name of a scalars file.

    ``WORK_DIR/<timestamp>/vis_data/scalars.json`` gives the name of
    ``WORK_DIR``; any other layout gives the name of the file's folder.

    Args:
        scalars_path (str): Path of a scalars file.

    Returns:
        str: The label.
    """
    parts = os.path.abspath(scalars_path).split(os.sep)
    if len(parts) >= 4 and parts[-2] == 'vis_data':
        return parts[-4]
    return parts[-2]


def plot_curves(runs: Sequence[Tuple[str, Dict[str, Series]]],
                out_path: str,
                keys: Sequence[str] = DEFAULT_KEYS,
                mean_window: int = 1) -> str:
    """One subplot per key, each run overlaid with its label; save a PNG.

    Keys that no run has are skipped.

    Args:
        runs (Sequence[tuple[str, dict]]): ``(label, scalars)`` pairs, the
            scalars as returned by :func:`load_scalars`.
        out_path (str): Where the PNG goes; folders are created.
        keys (Sequence[str]): Keys to plot, in order. Defaults to
            :data:`DEFAULT_KEYS` (loss, lr, momentum, probe mIoU).
        mean_window (int): Trailing-mean window applied to every curve
            longer than ``SHORT_SERIES`` points (sparse series such as
            probe results are drawn raw). Defaults to 1 (raw values).

    Returns:
        str: ``out_path``.

    Raises:
        ValueError: If no run has any of ``keys``.
    """
    present = [k for k in keys if any(k in scalars for _, scalars in runs)]
    if not present:
        available = sorted({k for _, scalars in runs for k in scalars})
        raise ValueError(f'none of the keys {list(keys)} is in the logs; '
                         f'available keys: {available}')
    fig = Figure(figsize=(7, 2.6 * len(present)))
    axes = fig.subplots(len(present), 1, squeeze=False, sharex=True)[:, 0]
    for ax, key in zip(axes, present):
        _plot_key(ax, key, runs, mean_window)
    axes[-1].set_xlabel('iteration')
    fig.tight_layout()
    return save_png(fig, out_path)


def _plot_key(ax, key: str, runs: Sequence[Tuple[str, Dict[str, Series]]],
              mean_window: int) -> None:
    """Draw one key of every run that has it on ``ax``."""
    for label, scalars in runs:
        if key not in scalars:
            continue
        x, y = scalars[key]
        short = len(x) <= SHORT_SERIES
        ax.plot(x, y if short else moving_average(y, mean_window),
                label=label, linewidth=1.2, marker='o' if short else None,
                markersize=3)
    title = key if mean_window == 1 else f'{key} (mean of {mean_window})'
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(key)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)


def load_runs(paths: Sequence[str],
              labels: Optional[Sequence[str]] = None
              ) -> List[Tuple[str, Dict[str, Series]]]:
    """Find and read the scalars of several runs, with their labels.

    Args:
        paths (Sequence[str]): Work dirs or scalars files.
        labels (Sequence[str], optional): One label per path; defaults to
            :func:`run_label` of each scalars file.

    Returns:
        list[tuple[str, dict]]: ``(label, scalars)`` per run.
    """
    if labels is not None and len(labels) != len(paths):
        raise ValueError(f'got {len(labels)} labels for {len(paths)} runs')
    files = [find_scalars_file(p) for p in paths]
    if labels is None:
        labels = _unique([run_label(f) for f in files])
    return [(label, load_scalars(f)) for label, f in zip(labels, files)]


def _unique(labels: List[str]) -> List[str]:
    """Number repeated labels: ``a``, ``a`` -> ``a (1)``, ``a (2)``."""
    counts = {lb: labels.count(lb) for lb in labels}
    seen: Dict[str, int] = {}
    out = []
    for lb in labels:
        if counts[lb] == 1:
            out.append(lb)
            continue
        seen[lb] = seen.get(lb, 0) + 1
        out.append(f'{lb} ({seen[lb]})')
    return out


__all__ = [
    'DEFAULT_KEYS', 'find_scalars_file', 'load_scalars', 'plot_curves',
    'load_runs', 'moving_average', 'run_label'
]
