# Copyright (c) mmpixpro contributors. All rights reserved.
"""Plumbing of tools/dist_train.sh and tools/slurm_train.sh (DRY_RUN=1)."""
import os
import os.path as osp
import shlex
import shutil
import subprocess

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DIST = osp.join(REPO, 'tools', 'dist_train.sh')
SLURM = osp.join(REPO, 'tools', 'slurm_train.sh')
TRAIN = osp.join(REPO, 'tools', 'train.py')

pytestmark = pytest.mark.skipif(
    shutil.which('bash') is None, reason='bash is not available')


def dry_run(script, args, **env):
    """Run a launch script with DRY_RUN=1.

    Args:
        script (str): Script path.
        args (list[str]): Its arguments.
        **env: Extra environment variables.

    Returns:
        tuple[list[str], str]: The printed command split into words, and
        the PYTHONPATH it would run with.
    """
    full_env = {k: v for k, v in os.environ.items()
                if k not in ('NNODES', 'NODE_RANK', 'PORT', 'MASTER_ADDR',
                             'GPUS', 'GPUS_PER_NODE', 'CPUS_PER_TASK',
                             'SRUN_ARGS', 'PYTHON', 'PYTHONPATH')}
    full_env.update(env, DRY_RUN='1')
    out = subprocess.run(['bash', script, *args], env=full_env, cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith('PYTHONPATH=')
    return shlex.split(lines[1]), lines[0][len('PYTHONPATH='):]


def test_dist_train_defaults():
    cmd, pythonpath = dry_run(DIST, ['configs/x.py', '4'])
    assert cmd[:3] == ['python', '-m', 'torch.distributed.run']
    for opt in ('--nnodes=1', '--node_rank=0', '--master_addr=127.0.0.1',
                '--nproc_per_node=4', '--master_port=29500'):
        assert opt in cmd
    train = cmd.index(TRAIN)
    assert cmd[train + 1:] == ['configs/x.py', '--launcher', 'pytorch']
    assert pythonpath.split(':')[0] == REPO


def test_dist_train_env_and_extra_args():
    cmd, pythonpath = dry_run(
        DIST, ['cfg.py', '8', '--amp', '--cfg-options', 'a=1 b'],
        NNODES='2', NODE_RANK='1', PORT='1234', MASTER_ADDR='10.0.0.5',
        PYTHON='/opt/py/bin/python3', PYTHONPATH='/extra')
    assert cmd[0] == '/opt/py/bin/python3'
    for opt in ('--nnodes=2', '--node_rank=1', '--master_addr=10.0.0.5',
                '--nproc_per_node=8', '--master_port=1234'):
        assert opt in cmd
    assert cmd[-6:] == ['cfg.py', '--launcher', 'pytorch', '--amp',
                        '--cfg-options', 'a=1 b']
    assert pythonpath == f'{REPO}:/extra'


def test_dist_train_needs_two_args():
    proc = subprocess.run(['bash', DIST, 'cfg.py'], capture_output=True,
                          text=True, env={**os.environ, 'DRY_RUN': '1'})
    assert proc.returncode != 0
    assert 'usage' in proc.stderr


def test_slurm_train_defaults():
    cmd, pythonpath = dry_run(SLURM, ['dev', 'pixpro', 'cfg.py', 'wd'])
    assert cmd[:3] == ['srun', '-p', 'dev']
    for opt in ('--job-name=pixpro', '--gres=gpu:8', '--ntasks=8',
                '--ntasks-per-node=8', '--cpus-per-task=5',
                '--kill-on-bad-exit=1'):
        assert opt in cmd
    py = cmd.index('python')
    assert cmd[py:] == ['python', '-u', TRAIN,
                        'cfg.py', '--work-dir=wd', '--launcher=slurm']
    assert pythonpath.split(':')[0] == REPO


def test_slurm_train_env_and_extra_args():
    cmd, _ = dry_run(
        SLURM, ['gpu', 'job', 'cfg.py', 'wd', '--resume', '--amp'],
        GPUS='16', GPUS_PER_NODE='4', CPUS_PER_TASK='10',
        SRUN_ARGS='--quotatype=auto -x node1')
    for opt in ('--gres=gpu:4', '--ntasks=16', '--ntasks-per-node=4',
                '--cpus-per-task=10'):
        assert opt in cmd
    kill = cmd.index('--kill-on-bad-exit=1')
    assert cmd[kill + 1:kill + 4] == ['--quotatype=auto', '-x', 'node1']
    assert cmd[-4:] == ['--work-dir=wd', '--launcher=slurm', '--resume',
                        '--amp']
