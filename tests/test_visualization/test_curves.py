# Copyright (c) mmpixpro contributors. All rights reserved.
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmpixpro.visualization import (find_scalars_file, load_runs,
                                    load_scalars, moving_average,
                                    plot_curves, run_label)

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis_tools' / 'plot_curves.py'

LINES = [
    {'lr': 0.1, 'loss': -1.0, 'momentum': 0.99, 'epoch': 1, 'iter': 2,
     'step': 2},
    {'lr': 0.2, 'data_time': 0.01, 'epoch': 1, 'iter': 4, 'step': 4},
    {'lr': 0.3, 'loss': -2.0, 'momentum': 0.995, 'epoch': 1, 'iter': 6,
     'step': 6},
    {'accuracy': 0.5, 'step': 1},  # no iter: x from step
    {'lr': 0.4, 'loss': 'nan-as-text'},  # no x at all: skipped
]


def write_run(work_dir: Path, stamp: str, lines, mtime=None) -> Path:
    vis = work_dir / stamp / 'vis_data'
    vis.mkdir(parents=True)
    path = vis / 'scalars.json'
    path.write_text('\n'.join(json.dumps(x) for x in lines) + '\n\n')
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_load_scalars(tmp_path):
    path = write_run(tmp_path / 'run', '20240101_000000', LINES)
    scalars = load_scalars(str(path))
    assert set(scalars) == {'lr', 'loss', 'momentum', 'epoch', 'data_time',
                            'accuracy'}
    x, y = scalars['loss']
    np.testing.assert_array_equal(x, [2, 6])
    np.testing.assert_array_equal(y, [-1.0, -2.0])
    x, y = scalars['lr']
    np.testing.assert_array_equal(x, [2, 4, 6])
    np.testing.assert_allclose(y, [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(scalars['accuracy'][0], [1])


def test_load_scalars_skips_a_half_written_line(tmp_path):
    path = tmp_path / 'scalars.json'
    path.write_text(json.dumps(LINES[0]) + '\n{"loss": -3.0, "it')
    with pytest.warns(UserWarning, match='malformed'):
        scalars = load_scalars(str(path))
    np.testing.assert_array_equal(scalars['loss'][1], [-1.0])


def test_find_scalars_file_picks_newest(tmp_path):
    work = tmp_path / 'work'
    old = write_run(work, '20240101_000000', LINES, mtime=1_000_000)
    new = write_run(work, '20240102_000000', LINES, mtime=2_000_000)
    assert find_scalars_file(str(work)) == str(new)
    assert find_scalars_file(str(old)) == str(old)  # the file itself
    assert find_scalars_file(str(old.parents[1])) == str(old)  # timestamp


def test_find_scalars_file_errors_name_the_place(tmp_path):
    missing = tmp_path / 'nope'
    with pytest.raises(FileNotFoundError, match='nope'):
        find_scalars_file(str(missing))
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='empty.*vis_data'):
        find_scalars_file(str(empty))


def test_moving_average():
    np.testing.assert_allclose(
        moving_average(np.array([1., 3., 5., 7.]), 2), [1., 2., 4., 6.])
    np.testing.assert_allclose(moving_average(np.array([1., 2.]), 1), [1, 2])
    with pytest.raises(ValueError):
        moving_average(np.array([1.]), 0)


def assert_png(path: Path):
    assert path.is_file() and path.stat().st_size > 0
    with Image.open(path) as img:
        assert img.format == 'PNG'
        return img.size


def test_plot_curves_two_runs(tmp_path):
    a = write_run(tmp_path / 'run_a', '20240101_000000', LINES)
    b = write_run(tmp_path / 'run_b', '20240101_000000',
                  [{'loss': -0.5, 'iter': 1}, {'loss': -1.5, 'iter': 3}])
    runs = load_runs([str(tmp_path / 'run_a'), str(b)])
    assert [label for label, _ in runs] == ['run_a', 'run_b']
    out = tmp_path / 'plots' / 'curves.png'
    assert plot_curves(runs, str(out), mean_window=2) == str(out)
    _, height_3 = assert_png(out)
    # a key that only one run has still gets its subplot; unknown keys go
    out_one = tmp_path / 'one.png'
    plot_curves(runs, str(out_one), keys=['loss', 'unknown'])
    _, height_1 = assert_png(out_one)
    assert height_1 < height_3
    with pytest.raises(ValueError, match='available keys'):
        plot_curves(runs, str(tmp_path / 'x.png'), keys=['unknown'])
    assert run_label(str(a)) == 'run_a'


def test_default_labels_are_made_unique(tmp_path):
    a = write_run(tmp_path / 'x' / 'run', '1', LINES)
    b = write_run(tmp_path / 'y' / 'run', '1', LINES)
    labels = [lb for lb, _ in load_runs([str(a), str(b)])]
    assert labels == ['run (1)', 'run (2)']


def run_tool(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)],
                          capture_output=True, text=True, cwd=str(REPO))


@pytest.mark.slow
def test_plot_curves_cli(tmp_path):
    write_run(tmp_path / 'a', '20240101_000000', LINES)
    write_run(tmp_path / 'b', '20240101_000000', LINES[:3])
    out = tmp_path / 'cli.png'
    proc = run_tool(tmp_path / 'a', tmp_path / 'b', '--out', out, '--keys',
                    'loss', 'lr', '--labels', 'A', 'B', '--mean-window', '2')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    assert_png(out)

    proc = run_tool(tmp_path / 'missing', '--out', out)
    assert proc.returncode != 0
    assert 'missing' in proc.stderr and 'Traceback' not in proc.stderr


def test_default_keys_draw_probe_points_from_the_hook_log(tmp_path):
    # what LoggerHook (iter + step) and DenseProbeHook (step only) write
    lines = [{'loss': -float(i), 'lr': 0.1, 'momentum': 0.99, 'iter': i,
              'step': i} for i in range(1, 9)]
    lines[4:4] = [{'probe/mIoU': 0.12, 'probe/knn_mIoU': 0.10, 'step': 4}]
    lines.insert(0, {'probe/mIoU': 0.10, 'probe/knn_mIoU': 0.09, 'step': 0})
    lines.append({'probe/mIoU': 0.15, 'probe/knn_mIoU': 0.11, 'step': 8})
    path = write_run(tmp_path / 'run', '1', lines)
    scalars = load_scalars(str(path))
    x, y = scalars['probe/mIoU']
    assert x.tolist() == [0, 4, 8] and y.tolist() == [0.10, 0.12, 0.15]
    assert scalars['loss'][0].tolist() == list(range(1, 9))
    out = tmp_path / 'defaults.png'
    proc = run_tool(tmp_path / 'run', '--out', out)
    assert proc.returncode == 0, proc.stderr
    _, height_5 = assert_png(out)
    plot_curves(load_runs([str(path)]), str(tmp_path / 'three.png'),
                keys=['loss', 'lr', 'momentum'])
    _, height_3 = assert_png(tmp_path / 'three.png')
    # one subplot of 2.6 inches at 100 dpi per key
    assert (height_5, height_3) == (5 * 260, 3 * 260)
