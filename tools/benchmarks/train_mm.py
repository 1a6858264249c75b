# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fine-tune an mmdet/mmseg benchmark config from a converted checkpoint.

Examples::

    # 8 GPUs (SyncBN needs a distributed launch, even for one GPU)
    CFG=mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py
    tools/benchmarks/dist_train_mm.sh mmdet \
        configs/benchmarks/mmdetection/$CFG \
        work_dirs/pixpro_r50/epoch_400_mmdet.pth 8
    # check config and weights only (no mmdet/mmseg needed)
    python tools/benchmarks/train_mm.py mmseg CONFIG CKPT --dry-run

Before training, every ``init_cfg=dict(type='Pretrained')`` of the model
is pointed at CKPT, the file is verified strictly (keys and shapes), and
the config is checked against the weights (plain stem, depth, SyncBN, no
frozen stage, RGB mean/std).
"""
import argparse
import importlib.util
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from mmengine.config import Config, DictAction  # noqa: E402

from mmpixpro.export import (KeyMismatchError, check_mm_config,  # noqa: E402
                             verify_export)
from mmpixpro.export.downstream import iter_pretrained  # noqa: E402

INSTALL = {
    'mmdet': ('pip install -U openmim && mim install "mmcv>=2.0.0,<2.2.0" '
              '"mmdet==3.3.0"  (full mmcv with CUDA ops, torch<=2.1 wheels; '
              'see configs/benchmarks/mmdetection/README.md)'),
    'mmseg': ('pip install -U openmim && mim install "mmcv>=2.0.0,<2.2.0" '
              '"mmsegmentation==1.2.2"  (see '
              'configs/benchmarks/mmsegmentation/README.md)'),
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('framework', choices=sorted(INSTALL))
    parser.add_argument('config', help='benchmark config')
    parser.add_argument('checkpoint', help='export of convert.py --to '
                        'mmdet/mmseg')
    parser.add_argument('--work-dir', help='logs and checkpoints')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--dry-run', action='store_true',
                        help='only check config and weights')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def prepare_config(args: argparse.Namespace) -> Config:
    """Load the config, point its Pretrained inits at the checkpoint, check.

    Args:
        args (argparse.Namespace): From :func:`parse_args`.

    Returns:
        Config: Ready for mmengine's Runner.
    """
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    inits = list(iter_pretrained(cfg.model))
    if not inits:
        raise ValueError(f'{args.config}: no init_cfg of type Pretrained in '
                         'the model: the weights would not be used.')
    for _, init in inits:
        init['checkpoint'] = args.checkpoint
    depth = verify_export(args.checkpoint, args.framework)
    check_mm_config(cfg, depth)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or osp.join(
        'work_dirs', 'benchmarks',
        osp.splitext(osp.basename(args.config))[0])
    return cfg


def main(argv=None) -> int:
    """Check, then train with mmengine's Runner in the framework's scope."""
    args = parse_args(argv)
    try:
        cfg = prepare_config(args)
    except (FileNotFoundError, ValueError, KeyMismatchError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{args.checkpoint}: verified; config fits the weights.')
    if args.dry_run:
        return 0
    if importlib.util.find_spec(args.framework) is None:
        print(f'error: {args.framework} is not installed here. Install it '
              f'in a separate environment:\n  {INSTALL[args.framework]}',
              file=sys.stderr)
        return 2
    from mmengine.runner import Runner
    Runner.from_cfg(cfg).train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
