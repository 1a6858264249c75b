# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fine-tune a detectron2 benchmark YAML from a converted ``.pkl``.

Examples::

    python tools/benchmarks/train_detectron2.py \
        configs/benchmarks/detectron2/pascal_voc_R_50_C4_24k_pixpro.yaml \
        work_dirs/pixpro_r50/epoch_400_detectron2.pkl --num-gpus 8
    # check YAML and weights only (no detectron2 needed)
    python tools/benchmarks/train_detectron2.py YAML PKL --dry-run

The weights are verified (every name maps to a ResNet key and all keys are
there; with ``--eval-only`` the file is a fine-tuned detectron2 model and
is not checked as an export) and the YAML is checked (RGB, mean/std,
STRIDE_IN_1X1 False, SyncBN, FREEZE_AT 0) before detectron2 is imported.
The C4 YAMLs use ``Res5ROIHeadsExtraNorm`` (``Res5ROIHeads`` plus a norm
layer after res5), registered here. Needs torch, torchvision, numpy and
PyYAML of mmpixpro's dependencies, never mmcv, mmengine or mmpretrain (the
detectron2 environment has none of them).
"""
import argparse
import importlib.util
import os
import os.path as osp
import sys

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.export import check_d2_config, verify_export
from mmpixpro.export.finetune_config import load_d2_yaml

INSTALL = ('pip install "git+https://github.com/facebookresearch/'
           'detectron2.git"  (builds against the torch/CUDA of that '
           'environment; see configs/benchmarks/detectron2/README.md)')


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='benchmark YAML')
    parser.add_argument('checkpoint', help='export of convert.py --to '
                        'detectron2 (.pkl)')
    parser.add_argument('--num-gpus', type=int, default=1)
    parser.add_argument('--num-machines', type=int, default=1)
    parser.add_argument('--machine-rank', type=int, default=0)
    parser.add_argument('--dist-url', default='tcp://127.0.0.1:29511')
    parser.add_argument('--resume', action='store_true')
    parser.add_argument('--eval-only', action='store_true')
    parser.add_argument('--dry-run', action='store_true',
                        help='only check the YAML and the weights')
    parser.add_argument('--opts', nargs='+', default=[],
                        help='detectron2 config overrides, KEY VALUE ...')
    return parser.parse_args(argv)


def register_extra_norm_heads() -> None:
    """Register ``Res5ROIHeadsExtraNorm`` (needs detectron2)."""
    from detectron2.layers import get_norm
    from detectron2.modeling import ROI_HEADS_REGISTRY
    from detectron2.modeling.roi_heads import Res5ROIHeads

    if 'Res5ROIHeadsExtraNorm' in ROI_HEADS_REGISTRY:
        return

    @ROI_HEADS_REGISTRY.register()
    class Res5ROIHeadsExtraNorm(Res5ROIHeads):
        """Res5 RoI head with a norm layer after res5 (BN fine-tuning)."""

        @classmethod
        def _build_res5_block(cls, cfg):
            seq, out_channels = super()._build_res5_block(cfg)
            seq.add_module('norm', get_norm(cfg.MODEL.RESNETS.NORM,
                                            out_channels))
            return seq, out_channels


def run(args: argparse.Namespace) -> None:
    """One detectron2 worker: build config and trainer, train or test."""
    from detectron2.checkpoint import DetectionCheckpointer
    from detectron2.config import get_cfg
    from detectron2.engine import DefaultTrainer, default_setup
    from detectron2.evaluation import (COCOEvaluator,
                                       PascalVOCDetectionEvaluator)

    register_extra_norm_heads()

    class Trainer(DefaultTrainer):

        @classmethod
        def build_evaluator(cls, cfg, dataset_name, output_folder=None):
            if 'voc' in dataset_name:
                return PascalVOCDetectionEvaluator(dataset_name)
            return COCOEvaluator(
                dataset_name,
                output_dir=output_folder
                or os.path.join(cfg.OUTPUT_DIR, 'inference'))

    cfg = get_cfg()
    cfg.merge_from_file(args.config)
    cfg.merge_from_list(args.opts)
    cfg.MODEL.WEIGHTS = args.checkpoint
    cfg.freeze()
    default_setup(cfg, args)
    if args.eval_only:
        model = Trainer.build_model(cfg)
        DetectionCheckpointer(model).resume_or_load(cfg.MODEL.WEIGHTS)
        Trainer.test(cfg, model)
        return
    trainer = Trainer(cfg)
    trainer.resume_or_load(resume=args.resume)
    trainer.train()


def main(argv=None) -> int:
    """Check, then launch detectron2 training on ``--num-gpus``."""
    args = parse_args(argv)
    try:
        if args.eval_only:  # a fine-tuned detectron2 model, not an export
            if not osp.isfile(args.checkpoint):
                raise FileNotFoundError(f'{args.checkpoint} does not exist')
            cfg = load_d2_yaml(args.config)
            check_d2_config(cfg, cfg.get('MODEL', {}).get('RESNETS', {}).get(
                'DEPTH', 50))
        else:
            depth = verify_export(args.checkpoint, 'detectron2')
            check_d2_config(load_d2_yaml(args.config), depth)
    except (FileNotFoundError, ValueError, KeyError,
            KeyMismatchError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{args.checkpoint}: ' + ('YAML checked (evaluation of a '
                                    'fine-tuned model)' if args.eval_only
                                    else 'verified; YAML fits the weights.'))
    if args.dry_run:
        return 0
    if importlib.util.find_spec('detectron2') is None:
        print('error: detectron2 is not installed here. Install it in a '
              f'separate environment:\n  {INSTALL}', file=sys.stderr)
        return 2
    from detectron2.engine import launch
    launch(run, args.num_gpus, num_machines=args.num_machines,
           machine_rank=args.machine_rank, dist_url=args.dist_url,
           args=(args, ))
    return 0


if __name__ == '__main__':
    sys.exit(main())
