# Copyright (c) mmpixpro contributors. All rights reserved.
"""demo_comparison.sh arguments, its methods (every demo config) and the
page its report script writes from (fake) result files: rows with each
method's views, the random-init band and the verdicts."""
import glob
import json
import os
import os.path as osp
import subprocess

import pytest
from pixpro_testing import ROOT, load_tool

report = load_tool('tools', 'benchmarks', 'demo_comparison_report.py')

SCRIPT = f'{ROOT}/tools/benchmarks/demo_comparison.sh'


def write_results(out, name, miou, knn, j):
    probe = dict(mIoU=miou, object_IoU=0.3, knn_mIoU=knn,
                 knn_object_IoU=0.2, pixel_acc=0.6)
    (out / f'probe_{name}.json').write_text(json.dumps(probe))
    (out / f'prop_{name}.json').write_text(json.dumps(dict(J_mean=j)))


@pytest.fixture
def results(tmp_path):
    out = tmp_path / 'cmp'
    out.mkdir()
    # random init: linear 0.08/0.09/0.10 (mean 9.0, std 1.0 point),
    # kNN 0.070 each (std 0), J 0.30 each
    for seed, miou in zip('012', (0.08, 0.09, 0.10)):
        write_results(out, f'random{seed}', miou, 0.07, 0.30)
    write_results(out, 'pixpro', 0.115, 0.09, 0.305)  # > 9 + 2 and > 7 + 1
    write_results(out, 'byol', 0.105, 0.075, 0.20)    # below both bars
    vis = out / 'pixpro' / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    (vis / 'scalars.json').write_text(
        json.dumps(dict(loss=-1.0, iter=1, step=1)) + '\n' +
        json.dumps(dict(loss=-2.5, iter=2, step=2)) + '\n')
    (out / 'pixpro' / 'train_seconds').write_text('93\n')
    return out


def test_report_rows_band_and_verdicts(results, tmp_path):
    page_path = tmp_path / 'docs' / 'cmp.md'
    report.main([
        '--out-dir', str(results), '--methods', 'pixpro', 'byol',
        '--random-seeds', '0', '1', '2', '--budget', '12', '--command',
        'demo_comparison.sh --budget 12', '--seconds', '5', '--report',
        str(page_path), '--config-root', osp.join(ROOT, 'configs')
    ])
    page = page_path.read_text()
    assert ('| pixpro | 2 x 128 | 12 | 93 | -2.500 | 11.5 | 30.0 | 9.0 | '
            '20.0 | 30.5 |' in page)
    assert ('| byol | 2 x 128 | 12 | - | - | 10.5 | 30.0 | 7.5 | 20.0 | '
            '20.0 |' in page)
    assert '| random init (seed 2) | - | - | - | - | 10.0 |' in page
    # the in-training probes are named for the configs that have them
    assert 'the configs with `DenseProbeHook` (pixpro)' in page
    assert 'linear mIoU 9.0 +- 1.0' in page
    assert '**pixpro**: beat random init on linear mIoU, kNN mIoU.' in page
    assert '**byol**: did not beat random init on any readout.' in page
    assert '`demo_comparison.sh --budget 12`' in page


def run_script(*args):
    return subprocess.run(['bash', SCRIPT, *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_kept_rows_are_named_with_their_date(results, tmp_path):
    page_path = tmp_path / 'cmp.md'
    os.utime(results / 'probe_byol.json', (0, 86400))  # 1970-01-02 00:00
    report.main([
        '--out-dir', str(results), '--methods', 'pixpro', 'byol',
        '--budget', '12', '--report', str(page_path), '--kept', 'byol',
        '--config-root', osp.join(ROOT, 'configs')])
    page = page_path.read_text()
    assert ('(`--keep-results`, results dated 1970-01-02 00:00 UTC): byol;'
            in page)


def test_script_help_and_bad_arguments():
    assert '--budget' in run_script('--help').stdout
    bad = run_script('--bugdet', '3')
    assert bad.returncode == 2 and '--bugdet' in bad.stderr
    bad = run_script('--budget', 'ten')
    assert bad.returncode == 2 and 'whole number' in bad.stderr


DEMO_CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', '*',
                                         '*_r18_demo.py')))


def test_views_are_read_from_the_config():
    multicrop = osp.join(ROOT, 'configs', '_base_', 'datasets',
                         'demo_multicrop.py')
    assert report.config_views(multicrop) == '2 x 128 + 4 x 64'
    assert report.config_views(
        report.method_config('pixpro', osp.join(ROOT, 'configs'))) == \
        '2 x 128'
    assert report.describe_views([(224, 224)] * 2 + [(96, 64), None]) == \
        '2 x 224 + 1 x 96x64 + 1 x ?'


def test_methods_are_named_by_their_demo_config():
    configs = osp.join(ROOT, 'configs')
    assert report.method_config('pixpro-ins', configs) == osp.join(
        configs, 'pixpro', 'pixpro-ins_r18_demo.py')
    with pytest.raises(FileNotFoundError, match='nosuch_r18_demo.py'):
        report.method_config('nosuch', configs)


def test_default_methods_are_every_demo_config():
    assert len(DEMO_CONFIGS) >= 7, DEMO_CONFIGS  # today's seven at least
    dry = run_script('--dry-run', '--budget', '3')
    assert dry.returncode == 0, dry.stderr
    names = [osp.basename(p)[:-len('_r18_demo.py')] for p in DEMO_CONFIGS]
    assert dry.stdout.splitlines()[0].split()[1:] == sorted(names)
    for name, path in zip(names, DEMO_CONFIGS):
        rel = osp.relpath(path, ROOT)
        assert f'{name}: {rel} -> tools/train.py --work-dir ' \
            f'work_dirs/demo_comparison/{name} --epochs 3' in dry.stdout
    one = run_script('--dry-run', '--methods', 'pixpro-ins')
    assert 'pixpro-ins: configs/pixpro/pixpro-ins_r18_demo.py' in one.stdout
    bad = run_script('--dry-run', '--methods', 'pixpro nosuch')
    assert bad.returncode == 2 and 'nosuch_r18_demo.py' in bad.stderr
