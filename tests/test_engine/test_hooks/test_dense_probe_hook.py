# Copyright (c) mmpixpro contributors. All rights reserved.
"""DenseProbeHook: when it probes, what it logs, that it leaves training
untouched, and the verdict line."""
import glob
import json
import os.path as osp

import pytest
from pixpro_testing import (demo_cfg, last_run_rows, make_images,
                            make_voc_set, scalar_rows)

from mmpixpro.evaluation.probe_report import probe_summary, verdict
from mmpixpro.registry import RUNNERS

PROBE = dict(epochs=2, batch_size=4, knn_k=2)


def probe_hook(root, **kwargs):
    return dict(type='DenseProbeHook', data_root=str(root), img_size=64,
                probe_cfg=PROBE, **kwargs)


def run(tmp_path, name, hooks, max_epochs=2):
    # 4 images, batch 2: 2 iterations per epoch
    images = make_images(tmp_path / 'imgs', 4)
    cfg = demo_cfg(images, tmp_path / name, max_epochs=max_epochs)
    cfg.custom_hooks = hooks  # only the hook under test
    runner = RUNNERS.build(cfg)
    runner.train()
    return runner


@pytest.fixture(scope='module')
def voc(tmp_path_factory):
    return make_voc_set(tmp_path_factory.mktemp('voc'))


@pytest.mark.slow
def test_probes_initial_weights_each_epoch_and_logs(tmp_path, voc):
    runner = run(tmp_path, 'probe', [probe_hook(voc)])
    rows = scalar_rows(runner.work_dir, 'probe/mIoU')
    assert [row['step'] for row in rows] == [0, 2, 4]
    for row in rows:
        for key in ('probe/mIoU', 'probe/pixel_acc', 'probe/object_IoU',
                    'probe/knn_mIoU', 'probe/knn_pixel_acc',
                    'probe/knn_object_IoU'):
            assert 0 <= row[key] <= 1
    with open(osp.join(runner.log_dir, 'dense_probe.json')) as f:
        records = json.load(f)
    assert [r['iter'] for r in records] == [0, 2, 4]
    assert [r['mIoU'] for r in records] == [r['probe/mIoU'] for r in rows]
    with open(osp.join(runner.work_dir, 'dense_probe_summary.txt')) as f:
        summary = f.read()
    assert 'iter      0 (random init)' in summary
    assert 'vs random init' in summary
    assert runner.model.training


@pytest.mark.slow
def test_probe_does_not_change_training(tmp_path, voc):
    with_probe = run(tmp_path, 'a', [probe_hook(voc)])
    without = run(tmp_path, 'b', [])
    losses_a = [r['loss'] for r in last_run_rows(with_probe.work_dir)]
    losses_b = [r['loss'] for r in last_run_rows(without.work_dir)]
    assert len(losses_a) == 4
    assert losses_a == losses_b


@pytest.mark.slow
def test_iteration_interval_and_last_iteration(tmp_path, voc):
    hook = probe_hook(voc, interval=3, by_epoch=False, before_train=False)
    runner = run(tmp_path, 'iters', [hook])
    steps = [r['step'] for r in scalar_rows(runner.work_dir, 'probe/mIoU')]
    assert steps == [3, 4]


def test_missing_data_root_fails_before_training(tmp_path):
    with pytest.raises(FileNotFoundError, match='no_such_set'):
        run(tmp_path, 'missing', [probe_hook(tmp_path / 'no_such_set')])
    assert not glob.glob(str(tmp_path / 'missing' / '*.pth'))


def test_unknown_probe_option_is_refused():
    from mmpixpro.engine.hooks import DenseProbeHook
    with pytest.raises(ValueError, match='stag'):
        DenseProbeHook(probe_cfg=dict(stag='C4'))


def scores(miou, knn):
    return dict(mIoU=miou, knn_mIoU=knn, pixel_acc=0.5, knn_pixel_acc=0.5,
                object_IoU=0.3, knn_object_IoU=0.2)


@pytest.mark.parametrize('final,word', [
    (scores(0.20, 0.19), 'beat its random init'),
    (scores(0.05, 0.04), 'behind its random init'),
    (scores(0.125, 0.14), 'not distinguishable'),   # within 1 point
    (scores(0.20, 0.05), 'not distinguishable'),    # mixed sign
])
def test_verdict(final, word):
    line = verdict(scores(0.12, 0.12), final)
    assert word in line
    assert f'{100 * (final["mIoU"] - 0.12):+.1f}' in line


def test_summary_has_verdict_only_with_initial_probe():
    first = dict(scores(0.1, 0.1), iter=0)
    last = dict(scores(0.3, 0.3), iter=8)
    assert 'beat' in probe_summary([first, last])[-1]
    assert len(probe_summary([dict(first, iter=4), last])) == 2


@pytest.mark.slow
def test_missing_data_root_with_warn_trains_without_probe(tmp_path):
    runner = run(tmp_path, 'warn',
                 [probe_hook(tmp_path / 'no_such_set', on_missing='warn')])
    assert len(last_run_rows(runner.work_dir)) == 4
    assert scalar_rows(runner.work_dir, 'probe/mIoU') == []
    assert not osp.exists(osp.join(runner.work_dir,
                                   'dense_probe_summary.txt'))
