# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fine-tune an mmdet/mmseg benchmark config from a converted checkpoint.

Examples::

    # 8 GPUs (SyncBN needs a distributed launch, even for one GPU)
    CFG=configs/benchmarks/mmdetection/mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py
    tools/benchmarks/dist_train_mm.sh mmdet $CFG 8 \\
        --pretrained work_dirs/pixpro_r50_8xb128/epoch_100_mmdet.pth
    # check config and weights; builds the model when mmdet is installed
    python tools/benchmarks/train_mm.py mmseg CONFIG --dry-run
    # a few CPU iterations on the generated sets (make downstream-data)
    python tools/benchmarks/train_mm.py mmdet CONFIG --pretrained FILE \
        --demo-data data/downstream --demo-iters 4

Without ``--pretrained`` the config's own paths are used (the files
``convert.py`` writes by default for the matching pretraining config).
Before training, every ``init_cfg=dict(type='Pretrained')`` of the model
is pointed at the file, the file is verified strictly (keys and shapes),
the config is checked against the weights (plain stem, depth, SyncBN, no
frozen stage, RGB mean/std), and ``PretrainedCheckHook`` stops the run
before the first iteration unless every tensor of the file landed in the
built model.
"""
import argparse
import importlib.util
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.downstream.demo_scale import config_nodes, to_demo_scale
# registers PretrainedCheckHook in mmengine's HOOKS (found from any scope)
from mmpixpro.downstream.pretrained_check import check_pretrained_loaded
from mmpixpro.export import check_mm_config, verify_export
from mmpixpro.export.finetune_config import iter_pretrained

INSTALL = {
    'mmdet': 'make downstream-env  (see docs/en/transfer.md)',
    'mmseg': 'make downstream-env  (see docs/en/transfer.md)',
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('framework', choices=sorted(INSTALL))
    parser.add_argument('config', help='benchmark config')
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--pretrained', help='export of convert.py --to '
                        'mmdet/mmseg (default: the path in the config)')
    source.add_argument('--random-init', action='store_true',
                        help='drop every Pretrained init (the from-scratch '
                        'baseline)')
    parser.add_argument('--work-dir', help='logs and checkpoints')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--dry-run', action='store_true',
                        help='check config and weights (and build the '
                        'model where the framework is installed); no '
                        'training')
    parser.add_argument('--seed', type=int, help='random seed')
    demo = parser.add_argument_group(
        'demo scale', 'run the config on the sets of '
        'build_downstream_sets.py at a CPU-sized scale '
        '(mmpixpro.downstream.demo_scale)')
    demo.add_argument('--demo-data', help='root of the generated sets')
    demo.add_argument('--demo-side', type=int, default=128,
                      help='short side replacing the config\'s largest')
    demo.add_argument('--demo-iters', type=int, default=4)
    demo.add_argument('--demo-batch', type=int, default=2)
    demo.add_argument('--demo-lr-scale', type=float,
                      help='LR factor (default: batch / 16)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def prepare_config(args: argparse.Namespace) -> Config:
    """Load the config, point its Pretrained inits at the file, check.

    Args:
        args (argparse.Namespace): From :func:`parse_args`.

    Returns:
        Config: Ready for mmengine's Runner.
    """
    # custom_imports (mmdet/mmseg modules) are imported in import_custom()
    cfg = Config.fromfile(args.config, import_custom_modules=False)
    if args.demo_data:
        to_demo_scale(cfg, args.demo_data, args.demo_side, args.demo_iters,
                      args.demo_batch, args.demo_lr_scale)
    if args.seed is not None:
        cfg.randomness = dict(seed=args.seed)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or osp.join(
        'work_dirs', 'benchmarks',
        osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher
    inits = list(iter_pretrained(cfg.model))
    if args.random_init:
        drop_pretrained(cfg.model)
        return cfg
    if not inits:
        raise ValueError(f'{args.config}: no init_cfg of type Pretrained in '
                         'the model: the weights would not be used.')
    if args.pretrained:
        for _, init in inits:
            init['checkpoint'] = args.pretrained
    paths = sorted({init['checkpoint'] for _, init in inits})
    for path in paths:
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'pretrained file {path!r} does not exist: export it with '
                f'tools/model_converters/convert.py CKPT --to '
                f'{args.framework} or pass --pretrained FILE')
        check_mm_config(cfg, verify_export(path, args.framework))
    add_pretrained_check(cfg)
    return cfg


def drop_pretrained(model_cfg) -> None:
    """Remove every ``init_cfg`` of type Pretrained (in place)."""
    for node in config_nodes(model_cfg):
        init = node.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            node['init_cfg'] = None


def add_pretrained_check(cfg: Config) -> None:
    """Append :class:`PretrainedCheckHook` (once)."""
    hooks = list(cfg.get('custom_hooks', []))
    if not any(h.get('type') == 'PretrainedCheckHook' for h in hooks):
        hooks.append(dict(type='PretrainedCheckHook'))
    cfg.custom_hooks = hooks


def import_custom(cfg: Config) -> None:
    """Import the config's ``custom_imports`` (needs the framework)."""
    from mmengine.utils import import_modules_from_strings
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)


def build_and_check(cfg: Config) -> str:
    """Build the model with the framework and check what it loaded.

    Args:
        cfg (Config): From :func:`prepare_config`.

    Returns:
        str: The load summary.

    Raises:
        RuntimeError: When a file tensor did not land.
    """
    from mmengine.registry import MODELS, init_default_scope

    import_custom(cfg)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    model.init_weights()
    report = check_pretrained_loaded(model)
    if not report.files:
        return 'random init: nothing to load.'
    report.require_complete()
    return report.summary()


def main(argv=None) -> int:
    """Check, then train with mmengine's Runner in the framework's scope."""
    args = parse_args(argv)
    try:
        cfg = prepare_config(args)
    except (FileNotFoundError, ValueError, KeyMismatchError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    installed = importlib.util.find_spec(args.framework) is not None
    print('random init: no pretrained weights.' if args.random_init else
          'pretrained file verified; config keys fit the weights.')
    if args.dry_run:
        if not installed:
            print(f'model not built: {args.framework} is not installed '
                  f'here ({INSTALL[args.framework]}).')
            return 0
        try:
            print(build_and_check(cfg))
        except Exception as err:  # any build error of the framework
            print(f'error: {args.config}: {type(err).__name__}: {err}',
                  file=sys.stderr)
            return 1
        print(f'model built by {args.framework}; ' +
              ('no pretrained weights (random init).' if args.random_init
               else 'every pretrained tensor loaded.'))
        return 0
    if not installed:
        print(f'error: {args.framework} is not installed here. Install it '
              f'in a separate environment:\n  {INSTALL[args.framework]}',
              file=sys.stderr)
        return 2
    from mmengine.runner import Runner
    import_custom(cfg)
    Runner.from_cfg(cfg).train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
