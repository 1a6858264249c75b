# Copyright (c) mmpixpro contributors. All rights reserved.
"""benchmark_decode.py reports the decoded size of each draft setting."""
import numpy as np
import pytest
from PIL import Image
from pixpro_testing import load_tool

benchmark_decode = load_tool('tools', 'analysis_tools', 'benchmark_decode.py')


def test_rows_per_side(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (400, 600, 3), np.uint8)).save(
            tmp_path / f'{i}.jpg')
    rows = benchmark_decode.main(
        [str(tmp_path), '--sides', '0', '100', '--repeats', '1'])
    assert [r['min_short_side'] for r in rows] == [None, 100]
    assert [r['shape'] for r in rows] == [(400, 600), (100, 150)]
    assert all(r['img_per_s'] > 0 for r in rows)


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(SystemExit, match='no JPEG'):
        benchmark_decode.main([str(tmp_path)])
