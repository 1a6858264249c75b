# Copyright (c) mmpixpro contributors. All rights reserved.
"""Train a model of mmpixpro with mmengine's Runner.

Examples:
    python tools/train.py configs/pixpro/pixpro_r18_demo.py
    python tools/train.py CONFIG --work-dir work_dirs/x --resume
    tools/dist_train.sh configs/pixpro/pixpro_r50_8xb128.py 8
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmpixpro.datasets import check_data_root
from mmpixpro.registry import RUNNERS
from mmpixpro.utils import (check_config, register_all_modules,
                            set_max_epochs, setup_amp, setup_resume,
                            setup_sync_bn)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a path, from '
        'the latest checkpoint in the work directory (an error if there is '
        'none)')
    resume.add_argument(
        '--resume-or-start',
        action='store_true',
        help='resume from the latest checkpoint in the work directory, or '
        'start from scratch if there is none (for re-queued jobs)')
    resume.add_argument(
        '--overwrite',
        action='store_true',
        help='start from scratch even if the work directory holds '
        'checkpoints of an earlier run (they are replaced); without it such '
        'a start is refused')
    amp = parser.add_mutually_exclusive_group()
    amp.add_argument(
        '--amp',
        action='store_true',
        default=None,
        help='bf16 mixed precision (CUDA only; fp32 with a warning on CPU)')
    amp.add_argument(
        '--no-amp',
        dest='amp',
        action='store_false',
        help='force fp32 even if the config asks for mixed precision')
    parser.add_argument(
        '--epochs',
        type=int,
        help='train this many epochs; the schedule (cosine end, T_max) and '
        'a checkpoint interval equal to the old length follow, the '
        'warm-up keeps its length')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.dataset.data_root=DIR')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def build_config(args: argparse.Namespace) -> Config:
    """Load the config and apply the command-line options."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.epochs is not None:
        set_max_epochs(cfg, args.epochs)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        name = osp.splitext(osp.basename(args.config))[0]
        cfg.work_dir = osp.join('./work_dirs', name)
    check_config(cfg)  # typos and missing keys, before anything is built
    setup_amp(cfg, args.amp)
    setup_resume(cfg, 'auto' if args.resume_or_start else args.resume,
                 allow_fresh=args.resume_or_start)
    setup_sync_bn(cfg)
    if args.overwrite:
        cfg.overwrite_work_dir = True
    return cfg


def build_runner(cfg: Config) -> Runner:
    """Check the data root, then build the Runner.

    The check runs before the Runner builds the model (mmengine builds the
    dataset only when training starts), so a wrong data_root fails in
    seconds with a clear message.
    """
    check_data_root(cfg, int(os.environ.get('WORLD_SIZE', 1)))
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = build_config(args)
    runner = build_runner(cfg)
    runner.train()


if __name__ == '__main__':
    main()
