# Copyright (c) mmpixpro contributors. All rights reserved.
"""Evaluate a checkpoint by a list of registered protocols: one table.

Every protocol registered in ``mmpixpro.registry.EVAL_PROTOCOLS`` can be
named (``hummingbird``, and those of the classification, segmentation and
video modules of ``mmpixpro.evaluation``); the table states each metric
with every setting that fixes it, and ``--out`` keeps the same as JSON.
Unknown protocols, settings or data folders are refused before any model
is loaded. See docs/en/evaluation_protocols.md.

Examples:
    python tools/analysis_tools/evaluate.py \\
        work_dirs/pixpro_r18_demo/epoch_12.pth --protocols hummingbird
    python tools/analysis_tools/evaluate.py --random-init --depth 18 \\
        --protocols hummingbird knn-cls --out eval_random.json
    # real data: --data hummingbird=VOCdevkit/VOC2012 \\
    #   --set hummingbird.train_split=trainaug \\
    #   --set hummingbird.test_split=val
"""
import argparse
import ast
import inspect
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence

from mmpixpro.evaluation import run_protocol
from mmpixpro.evaluation.cli import (add_backbone_args, backbone_from_args,
                                     backbone_label, write_result)
from mmpixpro.registry import EVAL_PROTOCOLS

# data root of each protocol when --data does not name one: the demo sets
# (data/dense: tools/dataset_converters/build_dense_set.py; data/cls_demo:
# build_cls_demo_set.py). A protocol may instead carry ``default_data``.
DEMO_DATA = {
    'hummingbird': 'data/dense',
    'seg-linear-dinov2': 'data/dense',
    'seg-linear-neco': 'data/dense',
    'davis': 'data/dense/sequences',
    'knn-cls': 'data/cls_demo',
    'linear-cls': 'data/cls_demo',
}


def known_protocols() -> List[str]:
    """Names registered in ``EVAL_PROTOCOLS`` (importing our modules)."""
    import mmpixpro.evaluation  # noqa: F401 (registers the protocols)
    return sorted(EVAL_PROTOCOLS.module_dict)


def protocol_settings(name: str) -> Optional[Dict[str, object]]:
    """The settings a protocol takes, with their defaults.

    Read from the protocol's ``default_settings`` attribute if it has one,
    else from its keyword parameters after ``(backbone, data_root)``.

    Args:
        name (str): A registered protocol.

    Returns:
        dict, optional: Setting -> default; None when the protocol takes
        only ``**settings`` and declares none (it checks them itself).
    """
    fn = EVAL_PROTOCOLS.get(name)
    declared = getattr(fn, 'default_settings', None)
    if declared is not None:
        return dict(declared)
    params = list(inspect.signature(fn).parameters.values())[2:]
    named = {p.name: p.default for p in params
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    if not named and any(p.kind == p.VAR_KEYWORD for p in params):
        return None
    return named


def parse_value(text: str) -> object:
    """A Python literal (``3``, ``0.1``, ``None``, ``[20, 200]``, ``True``)
    or else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line arguments (backbone as ``tools/analysis_tools``' other
    dense-evaluation tools: :mod:`mmpixpro.evaluation.cli`)."""
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        usage='%(prog)s CKPT | --random-init --depth N --protocols NAME '
        '[NAME ...] [--data NAME=PATH] [--set NAME.KEY=VALUE] [--out FILE]')
    add_backbone_args(parser)
    # --stage: the stage of every protocol that has one (else its own)
    parser.set_defaults(stage=None)
    parser.add_argument('--protocols', nargs='+', required=True,
                        metavar='NAME', help='registered protocol names')
    parser.add_argument('--data', action='append', default=[],
                        metavar='NAME=PATH',
                        help='data root of a protocol (default: its demo '
                        'set)')
    parser.add_argument('--set', action='append', default=[],
                        dest='settings', metavar='NAME.KEY=VALUE',
                        help='override a setting of a protocol')
    parser.add_argument('--out', help='write the results as JSON here')
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith('-'):  # CKPT first, as --checkpoint
        argv.insert(0, '--checkpoint')
    args = parser.parse_args(argv)
    try:
        args.plan = make_plan(args)
    except ValueError as e:
        parser.error(str(e))
    return args


def make_plan(args: argparse.Namespace) -> List[dict]:
    """Check protocols, data roots and settings; nothing is loaded.

    Args:
        args (argparse.Namespace): ``protocols``, ``data``, ``settings``
            and ``stage`` (given to each protocol with a ``stage`` setting
            that ``--set`` leaves unset).

    Returns:
        list[dict]: Per protocol: ``name``, ``data`` and ``settings``
        (the overrides).

    Raises:
        ValueError: An unknown protocol or setting, a malformed argument,
            a ``--data`` or ``--set`` for a protocol not run, or a data
            root that does not exist (each message lists what is known).
    """
    known = known_protocols()
    unknown = [n for n in args.protocols if n not in known]
    if unknown:
        raise ValueError(f'unknown protocol(s) {unknown}; known: '
                         f'{", ".join(known)}')
    names = list(dict.fromkeys(args.protocols))
    data, settings = {}, {n: {} for n in names}
    for item in args.data:
        name, sep, path = item.partition('=')
        if not sep or name not in names:
            raise ValueError(f'--data {item!r}: expected NAME=PATH with '
                             f'NAME one of {", ".join(names)}')
        data[name] = path
    for item in args.settings:
        target, sep, text = item.partition('=')
        name, dot, key = target.rpartition('.')
        if not sep or not dot or name not in names:
            raise ValueError(f'--set {item!r}: expected NAME.KEY=VALUE with '
                             f'NAME one of {", ".join(names)}')
        defaults = protocol_settings(name)
        if defaults is not None and key not in defaults:
            raise ValueError(f'--set {item!r}: {name} has no setting '
                             f'{key!r}; known: {", ".join(defaults)}')
        settings[name][key] = parse_value(text)
    for name in names:
        defaults = protocol_settings(name)
        if args.stage and (defaults is None or 'stage' in defaults):
            settings[name].setdefault('stage', args.stage)
    plan = []
    for name in names:
        root = data.get(name) or getattr(EVAL_PROTOCOLS.get(name),
                                         'default_data', None) \
            or DEMO_DATA.get(name)
        if root is None:
            raise ValueError(f'{name} has no demo data: give --data '
                             f'{name}=PATH')
        if not osp.exists(root):
            raise ValueError(f'{name}: data root {root!r} not found (give '
                             f'--data {name}=PATH or build the demo set, '
                             f'see docs/en/evaluation_protocols.md)')
        plan.append(dict(name=name, data=root, settings=settings[name]))
    return plan


def format_metric(value: object) -> str:
    """A metric with 2 decimals (percent), anything else as ``str``."""
    if isinstance(value, float):
        return f'{value:.2f}'
    return str(value)


def format_table(results: Sequence[dict]) -> str:
    """One Markdown table: protocol | metrics | settings | data | s.

    Args:
        results (Sequence[dict]): ``ProtocolResult.to_dict()`` of each.

    Returns:
        str: The table (a header, a rule and a row per protocol).
    """
    rows = [['protocol', 'metrics', 'settings', 'data', 'seconds'],
            ['---'] * 5]
    for r in results:
        rows.append([
            r['protocol'],
            ', '.join(f'{k} {format_metric(v)}'
                      for k, v in r['metrics'].items()),
            ', '.join(f'{k}={v}' for k, v in r['settings'].items()),
            r['data'], f'{r["seconds"]:.0f}'])
    return '\n'.join('| ' + ' | '.join(row) + ' |' for row in rows)


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run the protocols; prints the table and returns the results."""
    args = parse_args(argv)
    start = time.perf_counter()
    backbone = backbone_from_args(args)
    results = []
    for step in args.plan:
        result = run_protocol(step['name'], backbone, step['data'],
                              **step['settings'])
        results.append(result.to_dict())
    output = dict(backbone=backbone_label(args), results=results,
                  total_seconds=time.perf_counter() - start)
    print(f'{output["backbone"]}\n{format_table(results)}')
    write_result(output, args.out)
    return output


if __name__ == '__main__':
    main()
