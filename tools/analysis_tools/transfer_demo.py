# Copyright (c) mmpixpro contributors. All rights reserved.
"""Fine-tune mmseg FCN and mmdet Mask R-CNN on the generated sets from
several initialisations and write the comparison page.

Runs in the downstream environment (``make downstream-env``). Each
(task, initialisation, seed) is one run of ``tools/benchmarks/train_mm.py``
with ``--demo-data`` (the benchmark config itself, shrunk by
``mmpixpro.downstream.demo_scale``) and a ResNet-18 backbone, as the demo
checkpoints are ResNet-18. Random init is the same model without weights.

Example::

    .venv-downstream/bin/python tools/analysis_tools/transfer_demo.py \\
        --init pixpro=work_dirs/pixpro_r18_demo/epoch_12.pth \\
        --init byol=work_dirs/byol_r18_demo/epoch_12.pth \\
        --data data/downstream --out docs/en/results/transfer_demo.md
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import shlex
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from mmpixpro.export import convert_checkpoint

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN_MM = osp.join(REPO_ROOT, 'tools', 'benchmarks', 'train_mm.py')
BENCH = osp.join(REPO_ROOT, 'configs', 'benchmarks')
# task -> framework, benchmark config, ResNet-18 overrides, metrics,
# default iterations, LR factor (on the config's LR: a short schedule
# needs a higher LR than the 20k-90k iteration one) and seeds
TASKS = {
    'fcn-voc12aug': dict(
        framework='mmseg',
        config=osp.join(BENCH, 'mmsegmentation',
                        'fcn_r50-d8_pixpro-pre_4xb4-20k_voc12aug-512x512.py'),
        options=['model.backbone.depth=18',
                 'model.decode_head.in_channels=512',
                 'model.auxiliary_head.in_channels=256'],
        metrics=['mIoU'],
        resolution=0.01,  # IoUMetric rounds to 2 decimals
        iters=600,
        lr_scale=2.0,
        seeds=(0, 1, 2),
        percent=1.0),  # mmseg reports percent
    'mask-rcnn-fpn-coco': dict(
        framework='mmdet',
        config=osp.join(BENCH, 'mmdetection',
                        'mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py'),
        # fewer sampled anchors/RoIs and proposals: a 128 px image holds
        # a few objects, and this halves the time of an iteration on CPU
        options=['model.backbone.depth=18',
                 'model.neck.in_channels=[64,128,256,512]',
                 'model.train_cfg.rpn.sampler.num=128',
                 'model.train_cfg.rpn_proposal.max_per_img=300',
                 'model.train_cfg.rcnn.sampler.num=128',
                 'model.test_cfg.rpn.max_per_img=300'],
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        resolution=0.001,  # CocoMetric rounds to 3 decimals
        iters=200,
        lr_scale=0.5,
        seeds=(0, 1),
        percent=100.0),  # mmdet reports fractions
}
RANDOM = 'random'


def task_setting(task: str, key: str, args: argparse.Namespace):
    """``iters`` or ``lr_scale`` of ``task``: the command line's
    ``TASK=VALUE`` or the task's default."""
    return dict(getattr(args, key)).get(task, TASKS[task][key])


def last_metrics(work_dir: str, metrics: Sequence[str]) -> Dict[str, float]:
    """The evaluation metrics of a finished run (from ``scalars.json``)."""
    rows = []
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json')):
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    found = [row for row in rows if metrics[0] in row]
    if not found:
        raise RuntimeError(f'{work_dir}: no {metrics[0]} in scalars.json')
    return {m: float(found[-1][m]) for m in metrics}


def run_one(task: str, init: str, export: Optional[str], seed: int,
            args: argparse.Namespace) -> Dict[str, float]:
    """One fine-tuning run; returns its metrics (cached in its work dir)."""
    spec = TASKS[task]
    work_dir = osp.join(args.work_dir, task, init, f'seed{seed}')
    iters = task_setting(task, 'iters', args)
    lr_scale = task_setting(task, 'lr_scale', args)
    done = osp.join(work_dir, 'metrics.json')
    if osp.isfile(done):
        with open(done) as f:
            cached = json.load(f)
        if (cached.get('iters'), cached.get('lr_scale')) == (iters,
                                                             lr_scale):
            return cached
    cmd = [sys.executable, TRAIN_MM, spec['framework'], spec['config'],
           '--demo-data', args.data, '--demo-iters', str(iters),
           '--demo-side', str(args.side), '--demo-batch', str(args.batch),
           '--demo-lr-scale', str(lr_scale),
           '--seed', str(seed), '--work-dir', work_dir,
           '--cfg-options', *spec['options']]
    cmd += ['--random-init'] if export is None else ['--pretrained', export]
    start = time.time()
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'{shlex.join(cmd)} failed:\n'
                           f'{result.stderr[-3000:]}')
    metrics = last_metrics(work_dir, spec['metrics'])
    metrics['seconds'] = round(time.time() - start, 1)
    metrics.update(iters=iters, lr_scale=lr_scale,
                   threads=os.environ.get('OMP_NUM_THREADS', 'unset'))
    with open(done, 'w') as f:
        json.dump(metrics, f)
    print(f'{task} {init} seed {seed}: {metrics}', flush=True)
    return metrics


def band(values: Sequence[float], percent: float) -> str:
    """``mean +- std (min-max)`` in percent points."""
    pct = [percent * v for v in values]
    std = statistics.stdev(pct) if len(pct) > 1 else 0.0
    return (f'{statistics.mean(pct):.1f} +- {std:.1f} '
            f'({min(pct):.1f}-{max(pct):.1f})')


def verdict(results: Dict, task: str, metric: str, init: str) -> str:
    """Plain words: above, below or inside random init's range.

    The ranges must be apart by more than the metric's rounding (a gap of
    one rounding step is no difference).
    """
    mine = [r[metric] for r in results[task][init]]
    rand = [r[metric] for r in results[task][RANDOM]]
    step = TASKS[task]['resolution']
    if min(mine) - max(rand) > step:
        return f'{init} above random init on every seed'
    if min(rand) - max(mine) > step:
        return f'{init} below random init on every seed'
    return f'{init} not distinguishable from random init'


def threads_of(by_init: Dict) -> str:
    """The OMP_NUM_THREADS values a task's runs had, e.g. ``'1'``."""
    return '/'.join(sorted({str(run.get('threads')) for runs in
                            by_init.values() for run in runs}))


def cpu_model() -> str:
    """The CPU's model name (Linux), else what platform knows."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def write_page(path: str, results: Dict, args: argparse.Namespace,
               command: str) -> None:
    """The markdown page (and its data next to it as JSON)."""
    seconds = sum(run['seconds'] for by_init in results.values()
                  for runs in by_init.values() for run in runs)
    lines = [
        '# Transfer at demo scale: PixPro vs BYOL vs random init',
        '',
        'Written by `tools/analysis_tools/transfer_demo.py`. Each row is the '
        'benchmark config run by the real library (mmseg 1.2.2 / mmdet '
        '3.3.0, mmcv 2.1.0 with CPU ops) through `tools/benchmarks/'
        'train_mm.py --demo-data`: ResNet-18 backbone, the generated sets of '
        '`build_downstream_sets.py` (real cut-outs on real photographs), '
        f'short side {args.side} px, batch {args.batch}, the iterations of '
        "the table at the table's factor on the config's LR, evaluation at "
        'the end. Values in percent: mean +- '
        'standard deviation (min-max) over the seeds of the table. Runs are '
        'cached per task, initialisation, seed, iterations and LR factor.',
        '',
        f'Command: `{command}`',
        '',
        f'Machine: {platform.machine()}, {os.cpu_count()} cores, '
        f'{cpu_model()}, no GPU, Python '
        f'{platform.python_version()}; {seconds / 60:.0f} min of runs in '
        'all; OMP_NUM_THREADS of the runs: ' + ', '.join(
            f'{task} {threads_of(by_init)}'
            for task, by_init in results.items()) + '.',
        '',
        "mIoU is mmseg's `IoUMetric` over the config's 21 VOC class slots; "
        'the generated labels use ids 0-11, and classes absent from both '
        'prediction and ground truth do not count. `coco/bbox_mAP` and '
        "`coco/segm_mAP` are mmdet's `CocoMetric` (AP at IoU 0.5:0.95), "
        'rounded by mmdet to 0.1 point. Test images hold cut-outs and '
        'backgrounds that training never saw.',
        '',
        '| task | iterations | LR factor | seeds | metric | ' +
        ' | '.join(results[next(iter(results))]) + ' |',
        '|---|---|---|---|---|' + '---|' * len(results[next(iter(results))]),
    ]
    verdicts = []
    for task, by_init in results.items():
        for metric in TASKS[task]['metrics']:
            cells = [band([r[metric] for r in runs], TASKS[task]['percent'])
                     for runs in by_init.values()]
            setting = [task_setting(task, key, args)
                       for key in ('iters', 'lr_scale')]
            seeds = len(next(iter(by_init.values())))
            lines.append(f'| {task} | {setting[0]} | {setting[1]} | {seeds} '
                         f'| {metric} | ' + ' | '.join(cells) + ' |')
            verdicts += [f'- {task}, {metric}: '
                         f'{verdict(results, task, metric, init)}.'
                         for init in by_init if init != RANDOM]
    lines += ['', '## Verdict', '', *verdicts, '',
              'At this scale (hundreds of images, minutes of CPU) a '
              'difference shows only where the ranges are apart by more '
              "than the metric's rounding; "
              'the paper-scale numbers need the full benchmark configs on '
              'GPUs.', '']
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    with open(osp.splitext(path)[0] + '.json', 'w') as f:
        json.dump(dict(results=results, args=vars(args)), f, indent=1)


def _task_value(kind: type):
    """Parser of ``TASK=VALUE`` arguments with values of ``kind``."""

    def parse(text: str) -> tuple:
        task, _, value = text.partition('=')
        try:
            if task in TASKS:
                return task, kind(value)
        except ValueError:
            pass
        raise argparse.ArgumentTypeError(
            f'{text!r}: expected TASK={kind.__name__.upper()} with TASK one '
            f'of {list(TASKS)}')

    return parse


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--init', action='append', default=[],
                        metavar='NAME=CKPT',
                        help='a training checkpoint to compare (repeat)')
    parser.add_argument('--data', default='data/downstream')
    parser.add_argument('--tasks', nargs='+', default=list(TASKS),
                        choices=list(TASKS))
    for key, kind, what in (('iters', int, 'iterations'),
                            ('lr_scale', float, "factor on the config's LR")):
        parser.add_argument(
            '--' + key.replace('_', '-'), type=_task_value(kind),
            action='append', default=[], metavar='TASK=VALUE',
            help=f'{what} of a task (repeat); default: ' +
            ', '.join(f'{t}={s[key]}' for t, s in TASKS.items()))
    parser.add_argument('--side', type=int, default=128)
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='seeds of every task; default: ' + ', '.join(
                            f"{t}={list(s['seeds'])}"
                            for t, s in TASKS.items()))
    parser.add_argument('--work-dir', default='work_dirs/transfer_demo')
    parser.add_argument('--out', default='docs/en/results/transfer_demo.md')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Convert, fine-tune every combination, write the page."""
    args = parse_args(argv)
    inits = dict(item.split('=', 1) for item in args.init)
    results = {}
    os.makedirs(osp.join(args.work_dir, 'exports'), exist_ok=True)
    for task in args.tasks:
        framework = TASKS[task]['framework']
        exports = {name: convert_checkpoint(
            ckpt, framework,
            osp.join(args.work_dir, 'exports',
                     f'{name}_{framework}.pth')).path
                   for name, ckpt in inits.items()}
        exports[RANDOM] = None
        results[task] = {
            name: [run_one(task, name, export, seed, args)
                   for seed in args.seeds or TASKS[task]['seeds']]
            for name, export in exports.items()}
    threads = os.environ.get('OMP_NUM_THREADS')
    command = (f'OMP_NUM_THREADS={threads} ' if threads else '') + (
        'python tools/analysis_tools/transfer_demo.py ' +
        shlex.join(argv if argv is not None else sys.argv[1:]))
    write_page(args.out, results, args, command)
    print(f'page: {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
