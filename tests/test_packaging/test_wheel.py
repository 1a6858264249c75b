# Copyright (c) mmpixpro contributors. All rights reserved.
"""A built wheel carries configs and tools in ``mmpixpro/.mim``: installed
into a fresh venv, ``mim search``/``mim train`` and the ``mmpixpro``
console script find and train the shipped configs without the clone.

The fresh venv sees this environment's site-packages (torch, mmengine, ...)
through a ``.pth`` line, which does not run that folder's own ``.pth`` files:
the editable install of this clone stays invisible, and ``mmpixpro`` is
imported from the wheel (checked).
"""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

import pytest
from pixpro_testing import ROOT, make_images

pytestmark = pytest.mark.slow  # builds, installs and trains in subprocesses

# what a source distribution is built from (the rest of the clone is not
# needed; copying these keeps build files out of the working tree)
SOURCE_ITEMS = ('setup.py', 'setup.cfg', 'pyproject.toml', 'MANIFEST.in',
                'README.md', 'model-index.yml', 'requirements.txt',
                'requirements', 'mmpixpro', 'configs', 'tools')
IGNORED = shutil.ignore_patterns('__pycache__', '*.pyc', '.mim',
                                 '*.egg-info')
# 2 iterations (4 images, batch 2) of ResNet-18 on 64 px views, no workers,
# no checkpoint
TINY = ('train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_dataloader.dataset.pipeline.1.view_pipelines.0.0.size=64',
        'train_dataloader.dataset.pipeline.1.view_pipelines.1.0.size=64',
        'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.save_last=False')


def run(cmd, cwd, timeout=300) -> subprocess.CompletedProcess:
    """Run ``cmd`` without this clone on ``PYTHONPATH``; fail with its
    output on a non-zero exit."""
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (cmd, proc.stdout[-2000:],
                                  proc.stderr[-4000:])
    return proc


@pytest.fixture(scope='module')
def dists(tmp_path_factory):
    """The sdist and the wheel built from a copy of the project."""
    tmp = tmp_path_factory.mktemp('build')
    src = tmp / 'src'
    src.mkdir()
    for item in SOURCE_ITEMS:
        path = osp.join(ROOT, item)
        if osp.isdir(path):
            shutil.copytree(path, src / item, ignore=IGNORED)
        else:
            shutil.copy2(path, src / item)
    # --no-isolation: the build backend of this environment, no download
    run([sys.executable, '-m', 'build', '--no-isolation', '--outdir',
         tmp / 'dist', src], tmp)
    sdist, = glob.glob(str(tmp / 'dist' / 'mmpixpro-*.tar.gz'))
    wheel, = glob.glob(str(tmp / 'dist' / 'mmpixpro-*.whl'))
    return sdist, wheel


@pytest.fixture(scope='module')
def venv(dists, tmp_path_factory):
    """A fresh venv with the wheel installed; returns its ``bin`` folder."""
    env_dir = tmp_path_factory.mktemp('venv') / 'fresh'
    run([sys.executable, '-m', 'venv', '--without-pip', env_dir], ROOT)
    bin_dir = env_dir / 'bin'
    purelib = run([bin_dir / 'python', '-c',
                   'import sysconfig; print(sysconfig.get_paths()'
                   '["purelib"])'], env_dir).stdout.strip()
    parents = {sysconfig.get_paths()[k] for k in ('purelib', 'platlib')}
    with open(osp.join(purelib, '_parent_env.pth'), 'w') as f:
        f.write('\n'.join(sorted(parents)) + '\n')
    # --force-reinstall: pip sees this clone's editable mmpixpro through the
    # .pth and would otherwise call it installed; it leaves that one alone
    # (outside the environment) and installs the wheel into the fresh venv
    run([bin_dir / 'python', '-m', 'pip', 'install', '--no-deps',
         '--no-index', '--force-reinstall', dists[1]], env_dir)
    return bin_dir


def test_dists_carry_configs_tools_and_model_index(dists):
    sdist, wheel = dists
    with tarfile.open(sdist) as tar:
        names = {n.split('/', 1)[1] for n in tar.getnames() if '/' in n}
    for item in ('model-index.yml', 'configs/pixpro/metafile.yml',
                 'configs/_base_/datasets/demo_pixpro.py', 'tools/train.py',
                 'tools/dist_train.sh', 'requirements/runtime.txt'):
        assert item in names, item
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        entry_points, = [n for n in names if n.endswith('entry_points.txt')]
        scripts = whl.read(entry_points).decode()
    mim = 'mmpixpro/.mim/'
    for item in ('model-index.yml', 'configs/pixpro/pixpro_r18_demo.py',
                 'configs/pixpro/metafile.yml',
                 'configs/_base_/schedules/lars_coslr-12e.py',
                 'tools/train.py', 'tools/dist_train.sh'):
        assert mim + item in names, item
    # every config and tool of the clone is shipped, and no cache files
    for path in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                          recursive=True) + glob.glob(
                              osp.join(ROOT, 'tools', '**', '*.py'),
                              recursive=True):
        assert mim + osp.relpath(path, ROOT) in names, path
    assert not [n for n in names if '__pycache__' in n or n.endswith('.pyc')]
    assert 'mmpixpro = mmpixpro.__main__:main' in scripts


def test_import_comes_from_the_wheel(venv):
    out = run([venv / 'python', '-c',
               'import mmpixpro, importlib.metadata as m; '
               'print(mmpixpro.__file__); '
               'print(m.distribution("mmpixpro").locate_file(""))'],
              venv).stdout.split()
    prefix = str(venv.parent)
    assert out[0].startswith(prefix), out
    assert out[1].startswith(prefix), out
    # python -m mmpixpro reads the shipped configs and tools
    listing = run([venv / 'python', '-m', 'mmpixpro', 'list'], venv).stdout
    assert listing.startswith(f'resources: {prefix}')
    assert listing.split('\n', 1)[0].endswith(osp.join('mmpixpro', '.mim'))
    assert 'configs/pixpro/pixpro_r18_demo.py' in listing
    assert '  train\n' in listing


def test_mim_search_lists_the_model_index(venv):
    out = run([venv / 'python', '-m', 'mim', 'search', 'mmpixpro',
               '--valid-config'], venv).stdout
    for name in ('pixpro_r18_demo', 'pixpro_r50_8xb128',
                 'faster-rcnn_r50-c4_pixpro-100e-pre_24k_voc0712'):
        assert f"'{name}'" in out, out[-2000:]


def _losses(work_dir) -> list:
    scalars, = glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                  'scalars.json'))
    with open(scalars) as f:
        return [json.loads(line)['loss'] for line in f if '"loss"' in line]


def _train_and_check(cmd, venv, tmp_path):
    """Run a tiny training from a temporary folder (no clone in sight)."""
    data = make_images(tmp_path / 'images' / 'class_a', 4).parent
    work = tmp_path / 'work'
    proc = run([*cmd, '--work-dir', work, '--cfg-options',
                f'train_dataloader.dataset.data_root={data}', *TINY],
               tmp_path)
    assert len(_losses(work)) == 2  # 4 images / batch 2, logged each step
    # the Runner dumps the config it ran under that config's file name
    assert (work / 'pixpro_r18_demo.py').is_file()
    return proc


def test_mim_trains_a_shipped_config(venv, tmp_path):
    proc = _train_and_check([venv / 'python', '-m', 'mim', 'train',
                             'mmpixpro', 'pixpro_r18_demo.py'], venv,
                            tmp_path)
    shipped = osp.join(str(venv.parent), 'lib')
    found = [line for line in proc.stdout.splitlines()
             if 'will use' in line]
    assert found and shipped in found[0], proc.stdout[-2000:]
    assert osp.join('mmpixpro', '.mim', 'configs', 'pixpro',
                    'pixpro_r18_demo.py') in found[0]


def test_console_script_trains_a_config_by_name(venv, tmp_path):
    _train_and_check([venv / 'mmpixpro', 'train', 'pixpro_r18_demo'], venv,
                     tmp_path)
