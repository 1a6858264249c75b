# Copyright (c) mmpixpro contributors. All rights reserved.
"""Write the markdown page of ``tools/benchmarks/demo_comparison.sh`` from
its result files (probe and propagation JSONs, training logs) and the
methods' demo configs (``configs/*/<method>_r18_demo.py``: their views)."""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import statistics
from datetime import datetime, timezone
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config
from PIL import Image

from mmpixpro.evaluation.probe_report import PROBE_NOISE
from mmpixpro.registry import TRANSFORMS
from mmpixpro.utils import config_check, register_all_modules
from mmpixpro.visualization import find_scalars_file, load_scalars

# (key, result file, column name)
METRICS = (('mIoU', 'probe', 'linear mIoU'),
           ('object_IoU', 'probe', 'linear object IoU'),
           ('knn_mIoU', 'probe', 'kNN mIoU'),
           ('knn_object_IoU', 'probe', 'kNN object IoU'),
           ('J_mean', 'prop', 'propagation J'))
STATIC = 'docs/en/_static'
DEMO_SUFFIX = '_r18_demo.py'


def method_config(method: str, config_root: str = 'configs') -> str:
    """The demo config of a method: ``<config_root>/*/<method>_r18_demo.py``.

    Args:
        method (str): e.g. ``'pixpro-mcrop'``.
        config_root (str): The configs folder. Defaults to ``'configs'``.

    Returns:
        str: Its path.

    Raises:
        FileNotFoundError: If no config, or more than one, has that name.
    """
    found = sorted(glob.glob(osp.join(config_root, '*', method + DEMO_SUFFIX)))
    if len(found) != 1:
        raise FileNotFoundError(
            f'{method}: {len(found)} configs named {method}{DEMO_SUFFIX} '
            f'under {config_root}/*/ (expected exactly one): {found}')
    return found[0]


def describe_views(sizes: Sequence[Optional[Tuple[int, int]]]) -> str:
    """Views as runs of one size: ``'2 x 128 + 4 x 64'`` (square views by
    their side, others as ``HxW``, unknown sizes as ``?``;
    :func:`mmpixpro.utils.config_check.describe_views`)."""
    return config_check.describe_views(sizes, square_as_side=True)


def config_views(config: str) -> str:
    """The views per image of a config's training pipeline, read from its
    multi-view transform (e.g. ``'2 x 128 + 4 x 64'``); ``'?'`` if none of
    its transforms tells its views (``view_sizes_of``)."""
    register_all_modules(init_default_scope=False)
    pipeline = Config.fromfile(config).train_dataloader.dataset.pipeline
    for step in pipeline:
        cls = TRANSFORMS.get(step.get('type', ''))
        if cls is not None and hasattr(cls, 'view_sizes_of'):
            return describe_views(cls.view_sizes_of(step))
    return '?'


def has_probe_hook(config: str) -> bool:
    """Whether a config probes during training (``DenseProbeHook``)."""
    hooks = Config.fromfile(config).get('custom_hooks') or []
    return any(h.get('type') == 'DenseProbeHook' for h in hooks)


def picture_path(report: str, kind: str) -> str:
    """``docs/en/_static/<report name>_<kind>.png``."""
    stem = osp.splitext(osp.basename(report))[0]
    return osp.join(STATIC, f'{stem}_{kind}.png')


def machine() -> str:
    """CPU model, cores, GPU and library versions, in one line."""
    import torch
    cpu = platform.processor() or platform.machine()
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            names = [ln.split(':', 1)[1].strip() for ln in f
                     if ln.startswith('model name')]
        cpu = names[0] if names else cpu
    gpu = (torch.cuda.get_device_name(0) if torch.cuda.is_available()
           else 'no GPU')
    return (f'{cpu}, {os.cpu_count()} cores, {gpu}; Python '
            f'{platform.python_version()}, torch {torch.__version__}')


def read_json(path: str) -> Optional[dict]:
    """The JSON at ``path``, or None if the file is missing."""
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def final_loss(run_dir: str) -> Optional[float]:
    """Last logged loss of the newest run in ``run_dir``."""
    try:
        x_y = load_scalars(find_scalars_file(run_dir)).get('loss')
    except FileNotFoundError:
        return None
    return float(x_y[1][-1]) if x_y is not None else None


def scores(out_dir: str, name: str) -> Dict[str, Optional[float]]:
    """The :data:`METRICS` of one backbone, in points (None if missing)."""
    probe = read_json(osp.join(out_dir, f'probe_{name}.json')) or {}
    prop = read_json(osp.join(out_dir, f'prop_{name}.json')) or {}
    found = {'probe': probe, 'prop': prop}
    return {key: (100 * found[src][key] if key in found[src] else None)
            for key, src, _ in METRICS}


def fmt(value: Optional[float], digits: int = 1) -> str:
    """A number, or a dash when missing."""
    return '-' if value is None else f'{value:.{digits}f}'


def metric_cells(row: dict) -> str:
    """The :data:`METRICS` cells of a table row."""
    return ' | '.join(fmt(row[key]) for key, _, _ in METRICS) + ' |'


def random_band(rows: List[dict], key: str) -> Optional[tuple]:
    """(mean, std) of a metric over the random-init seeds."""
    values = [r[key] for r in rows if r[key] is not None]
    if not values:
        return None
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.mean(values), std


def beats(value: Optional[float], band: Optional[tuple]) -> Optional[bool]:
    """Above random init by more than max(2 std, PROBE_NOISE points)."""
    if value is None or band is None:
        return None
    return value > band[0] + max(2 * band[1], PROBE_NOISE)


def verdict_lines(methods: Sequence[str], rows: Dict[str, dict],
                  bands: Dict[str, tuple]) -> List[str]:
    """One line per method: which readouts beat random init."""
    lines = []
    for method in methods:
        won = [label for key, _, label in METRICS
               if beats(rows[method][key], bands.get(key))]
        lines.append(f'- **{method}**: ' + (
            'beat random init on ' + ', '.join(won) if won else
            'did not beat random init on any readout') + '.')
    return lines


def history_section(out_dir: str, methods: Sequence[str]) -> List[str]:
    """The in-training probe summaries (``DenseProbeHook``) of the runs."""
    lines = []
    for method in methods:
        path = osp.join(out_dir, method, 'dense_probe_summary.txt')
        if osp.isfile(path):
            with open(path) as f:
                lines += [f'`{method}`:', '', '```', f.read().rstrip(), '```',
                          '']
    if lines:
        lines = ['## Probes during training (iteration 0 = the run\'s own '
                 'random init)', ''] + lines
    return lines


def copy_views_picture(out_dir: str, dst: str) -> Optional[str]:
    """Write the last picture of PixPro's visualisation hook to ``dst``,
    at 2/3 of its size in 256 colours (about 150 KB instead of 1 MB)."""
    pngs = sorted(glob.glob(osp.join(out_dir, 'pixpro', '**', 'iter_*.png'),
                            recursive=True))
    if not pngs:
        return None
    img = Image.open(pngs[-1]).convert('RGB')
    small = img.resize((img.width * 2 // 3, img.height * 2 // 3),
                       Image.LANCZOS)
    small.quantize(colors=256).save(dst, optimize=True)
    return dst


def kept_line(out_dir: str, kept: Sequence[str]) -> List[str]:
    """The line naming the rows of an earlier run and their dates (the
    modification time of their probe results), or nothing."""
    if not kept:
        return []
    dates = sorted(datetime.fromtimestamp(
        osp.getmtime(osp.join(out_dir, f'probe_{name}.json')),
        timezone.utc).strftime('%Y-%m-%d %H:%M UTC') for name in kept)
    when = dates[0] if dates[0] == dates[-1] else (
        f'{dates[0]} to {dates[-1]}')
    return [f'- Kept from an earlier run of this script in the same '
            f'out-dir (`--keep-results`, results dated {when}): '
            f'{", ".join(kept)}; "whole script" counts the other rows only.']


def build_page(args: argparse.Namespace) -> str:
    """The markdown of the comparison page."""
    rows = {m: scores(args.out_dir, m) for m in args.methods}
    randoms = [scores(args.out_dir, f'random{s}') for s in args.random_seeds]
    bands = {key: random_band(randoms, key) for key, _, _ in METRICS}
    configs = {m: method_config(m, args.config_root) for m in args.methods}
    head = ('| backbone | views | epochs | train s | final loss | ' +
            ' | '.join(label for _, _, label in METRICS) + ' |\n' +
            '|---' * (5 + len(METRICS)) + '|')
    lines = [head]
    for m in args.methods:
        run = osp.join(args.out_dir, m)
        seconds = read_json(osp.join(run, 'train_seconds'))
        lines.append(f'| {m} | {config_views(configs[m])} | {args.budget} | '
                     f'{fmt(seconds, 0)} | {fmt(final_loss(run), 3)} | ' +
                     metric_cells(rows[m]))
    for seed, r in zip(args.random_seeds, randoms):
        lines.append(f'| random init (seed {seed}) | - | - | - | - | ' +
                     metric_cells(r))
    probing = [m for m in args.methods if has_probe_hook(configs[m])]
    band_text = ', '.join(
        f'{label} {fmt(bands[key][0])} +- {fmt(bands[key][1])}'
        for key, _, label in METRICS if bands[key] is not None)
    views = copy_views_picture(args.out_dir,
                               picture_path(args.report, 'pixpro_views'))
    curves = picture_path(args.report, 'curves')
    date = datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    parts = [
        '# Demo comparison: PixPro and baselines against random init', '',
        'Generated by `tools/benchmarks/demo_comparison_report.py` at the '
        'end of the run; measured, not edited.', '',
        f'- Command: `{args.command}`',
        f'- Machine: {machine()}',
        f'- Date: {date}; whole script {args.seconds} s',
        *kept_line(args.out_dir, args.kept),
        '- Pretraining: ResNet-18, batch 32, the embedded `data/demo` '
        'images, each method\'s `configs/*/<method>_r18_demo.py` with '
        '`--epochs ' + str(args.budget) + '` (the same budget for all); '
        '"views": the views per image of its config (count x side in px).',
        '- Probes: `data/dense` at 256 px, C5 linear probe (BN + 1x1, '
        'class-balanced) and kNN readout; label propagation on C4 over the '
        '8 sequences (see `docs/en/dense_evaluation.md`).', '',
        '\n'.join(lines), '',
        '"train s" is the wall time of `tools/train.py`, including, for '
        'the configs with `DenseProbeHook` (' +
        (', '.join(probing) or 'none here') + '), its in-training probes '
        '(every 6 epochs and at iteration 0).', '',
        f'Random init over {len(randoms)} seeds (mean +- std): {band_text}.',
        'A method "beats random init" on a readout when it is above the '
        f'random mean by more than max(2 std, {PROBE_NOISE:g} point).', '',
        '## Did pretraining beat random init at this budget?', '',
        '\n'.join(verdict_lines(args.methods, rows, bands)), '',
        *history_section(args.out_dir, args.methods),
        '## Pictures', '',
        f'![curves](../_static/{osp.basename(curves)})', '',
    ]
    if views:
        parts += ['PixPro, last picture of `PixProVisualizationHook`:', '',
                  f'![views](../_static/{osp.basename(views)})', '']
    return '\n'.join(parts)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (passed by demo_comparison.sh)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--methods', nargs='+', required=True)
    parser.add_argument('--random-seeds', nargs='+', default=['0'])
    parser.add_argument('--budget', type=int, required=True)
    parser.add_argument('--command', default='')
    parser.add_argument('--seconds', type=int, default=0)
    parser.add_argument('--report', required=True)
    parser.add_argument('--config-root', default='configs',
                        help='where configs/*/<method>_r18_demo.py are')
    parser.add_argument('--kept', nargs='*', default=[],
                        help='methods and random<seed> rows whose results '
                        'come from an earlier run (--keep-results)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> str:
    """Write the page; returns its path."""
    args = parse_args(argv)
    page = build_page(args)
    os.makedirs(osp.dirname(osp.abspath(args.report)), exist_ok=True)
    with open(args.report, 'w') as f:
        f.write(page)
    print(page)
    return args.report


if __name__ == '__main__':
    main()
