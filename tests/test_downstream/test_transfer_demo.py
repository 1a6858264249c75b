# Copyright (c) mmpixpro contributors. All rights reserved.
"""The demo-scale transfer report on hand-made results."""
import importlib.util
import os.path as osp

import pytest
from downstream_helpers import REPO

SCRIPT = osp.join(REPO, 'tools', 'analysis_tools', 'transfer_demo.py')
spec = importlib.util.spec_from_file_location('transfer_demo', SCRIPT)
td = importlib.util.module_from_spec(spec)
spec.loader.exec_module(td)

RESULTS = {
    'fcn-voc12aug': {
        'pixpro': [{'mIoU': 9.0, 'seconds': 60, 'threads': '1'},
                   {'mIoU': 10.0, 'seconds': 60, 'threads': '1'}],
        'byol': [{'mIoU': 6.0, 'seconds': 60}, {'mIoU': 8.5, 'seconds': 60}],
        'random': [{'mIoU': 7.0, 'seconds': 60}, {'mIoU': 8.0,
                                                   'seconds': 60}],
    }
}


def test_band_in_percent_points():
    # mean 9.5, sample std 0.7071
    assert td.band([9.0, 10.0], 1.0) == '9.5 +- 0.7 (9.0-10.0)'
    assert td.band([0.25], 100.0) == '25.0 +- 0.0 (25.0-25.0)'


@pytest.mark.parametrize('init,words', [('pixpro', 'above'),
                                        ('byol', 'not distinguishable')])
def test_verdict_needs_disjoint_ranges(init, words):
    assert words in td.verdict(RESULTS, 'fcn-voc12aug', 'mIoU', init)


def test_gap_of_one_rounding_step_is_no_difference():
    results = {'mask-rcnn-fpn-coco': {
        'byol': [{'coco/bbox_mAP': 0.007}, {'coco/bbox_mAP': 0.007}],
        'pixpro': [{'coco/bbox_mAP': 0.009}, {'coco/bbox_mAP': 0.008}],
        'random': [{'coco/bbox_mAP': 0.006}, {'coco/bbox_mAP': 0.006}]}}
    # mmdet rounds mAP to 3 decimals: 0.007 vs 0.006 is one step
    assert 'not distinguishable' in td.verdict(
        results, 'mask-rcnn-fpn-coco', 'coco/bbox_mAP', 'byol')
    assert 'above random init on every seed' in td.verdict(
        results, 'mask-rcnn-fpn-coco', 'coco/bbox_mAP', 'pixpro')


def test_page_lists_command_machine_and_verdicts(tmp_path):
    args = td.parse_args(['--iters', 'fcn-voc12aug=300', '--seeds', '0',
                          '1'])
    out = tmp_path / 'page.md'
    td.write_page(str(out), RESULTS, args, 'python x.py --seeds 0 1')
    text = out.read_text()
    row = '| fcn-voc12aug | 300 | 2.0 | 2 | mIoU | 9.5 +- 0.7 (9.0-10.0) |'
    assert row in text
    assert 'Command: `python x.py --seeds 0 1`' in text
    assert '6 min of runs in all' in text
    assert 'OMP_NUM_THREADS of the runs: fcn-voc12aug 1/None.' in text
    assert 'pixpro above random init on every seed' in text
    assert (tmp_path / 'page.json').is_file()


def test_iterations_and_lr_factor_per_task():
    args = td.parse_args(['--iters', 'mask-rcnn-fpn-coco=50',
                          '--lr-scale', 'fcn-voc12aug=1.5'])
    assert td.task_setting('mask-rcnn-fpn-coco', 'iters', args) == 50
    assert td.task_setting('fcn-voc12aug', 'iters', args) == 600  # default
    assert td.task_setting('fcn-voc12aug', 'lr_scale', args) == 1.5
    assert td.task_setting('mask-rcnn-fpn-coco', 'lr_scale', args) == 0.5
    for bad in (['--iters', 'no-such-task=5'], ['--iters', '200'],
                ['--iters', 'fcn-voc12aug=1.5']):
        with pytest.raises(SystemExit):
            td.parse_args(bad)


def test_cached_run_with_other_settings_is_not_reused(tmp_path,
                                                        monkeypatch):
    args = td.parse_args(["--work-dir", str(tmp_path)])
    run_dir = tmp_path / 'fcn-voc12aug' / 'random' / 'seed0'
    run_dir.mkdir(parents=True)
    (run_dir / 'metrics.json').write_text(
        '{"mIoU": 5.0, "seconds": 1, "iters": 600, "lr_scale": 2.0}')
    assert td.run_one('fcn-voc12aug', 'random', None, 0, args)['mIoU'] == 5.0
    (run_dir / 'metrics.json').write_text(
        '{"mIoU": 5.0, "seconds": 1, "iters": 600, "lr_scale": 1.0}')
    calls = []

    def fake_run(cmd, **kwargs):
        calls.append(cmd)
        raise RuntimeError('stop here')

    monkeypatch.setattr(td.subprocess, 'run', fake_run)
    with pytest.raises(RuntimeError, match='stop here'):
        td.run_one('fcn-voc12aug', 'random', None, 0, args)
    assert calls[0][calls[0].index('--demo-iters') + 1] == '600'
