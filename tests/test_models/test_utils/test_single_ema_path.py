# Copyright (c) mmpixpro contributors. All rights reserved.
"""One EMA path in mmpixpro/: the maths in ``MomentumEncoder.update``, the
control (``m`` and holding) in ``MomentumHook``.

A static scan of every module of the package fails on a second path: an EMA
written by hand (``lerp``, ``mul_(m).add_(...)``), mmengine's or
mmpretrain's EMA models, or a write of a copy's ``held``/``momentum``
outside the two home files.
"""
import ast
import os.path as osp
from pathlib import Path
from typing import List

import pytest
from pixpro_testing import ROOT

PACKAGE = Path(ROOT) / 'mmpixpro'
# the EMA maths (MomentumEncoder.update, one fused lerp)
MATHS_HOME = 'mmpixpro/models/utils/momentum_encoder.py'
# who may write a copy's m and hold state
CONTROL_HOMES = (MATHS_HOME, 'mmpixpro/engine/hooks/momentum_hook.py')
LERP = {'lerp', 'lerp_', '_foreach_lerp', '_foreach_lerp_'}
EMA_MODELS = {'ExponentialMovingAverage', 'CosineEMA', 'ExpMomentumEMA',
              'LinearMomentumEMA', 'MomentumAnnealingEMA', 'EMAHook'}
CONTROL_ATTRS = {'held', 'momentum'}
# 'path:name' -> why that EMA is not the library's
EXEMPT = {
    'mmpixpro/benchmarks/bare_step.py:_foreach_lerp_':
    'the bare-PyTorch limit of a step, timed without the library',
}


def attr_name(node: ast.AST) -> str:
    """The last name of ``a.b.c`` or ``c``; '' for anything else."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ''


def written_attrs(node: ast.AST) -> List[str]:
    """Attribute names a statement assigns (``x.held = ...``,
    ``setattr(x, 'momentum', ...)``)."""
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    names = [t.attr for t in targets if isinstance(t, ast.Attribute)]
    if (isinstance(node, ast.Call) and attr_name(node.func) == 'setattr'
            and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
        names.append(node.args[1].value)
    return names


def is_manual_ema(node: ast.AST) -> bool:
    """``x.mul_(m).add_(y...)``: an EMA step written by hand."""
    return (isinstance(node, ast.Call) and attr_name(node.func) == 'add_'
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call)
            and attr_name(node.func.value.func) == 'mul_')


def second_ema_paths(source: str, path: str) -> List[str]:
    """Every EMA path of one module that is not the home's.

    Args:
        source (str): The module's source.
        path (str): Its path relative to the repository root.

    Returns:
        list[str]: ``'path:line: what'`` for each offence.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        line = f'{path}:{getattr(node, "lineno", 0)}'
        name = attr_name(node)
        if (name in LERP and path != MATHS_HOME
                and f'{path}:{name}' not in EXEMPT):
            found.append(f'{line}: {name} (EMA by interpolation)')
        if name in EMA_MODELS:
            found.append(f'{line}: {name} (another EMA mechanism)')
        if is_manual_ema(node):
            found.append(f'{line}: mul_(...).add_(...) (EMA by hand)')
        for attr in set(written_attrs(node)) & CONTROL_ATTRS:
            if path not in CONTROL_HOMES:
                found.append(f'{line}: writes .{attr} of a momentum copy')
    return found


def scan_package() -> List[str]:
    """:func:`second_ema_paths` over every module of mmpixpro/."""
    found = []
    for file in sorted(PACKAGE.rglob('*.py')):
        path = osp.relpath(file, ROOT).replace(osp.sep, '/')
        found += second_ema_paths(file.read_text(encoding='utf-8'), path)
    return found


def test_the_package_has_one_ema_path():
    found = scan_package()
    assert not found, (
        'A second EMA path in mmpixpro/ (the EMA maths belongs to '
        'MomentumEncoder.update, m and holding to MomentumHook; a new '
        'momentum method holds a MomentumEncoder and calls its update):\n'
        + '\n'.join(found))


def test_the_homes_exist_and_hold_the_ema():
    maths = (Path(ROOT) / MATHS_HOME).read_text(encoding='utf-8')
    assert '_foreach_lerp_' in maths
    for home in CONTROL_HOMES:
        assert (Path(ROOT) / home).is_file(), home


@pytest.mark.parametrize('line,what', [
    ('torch._foreach_lerp_(t, o, 1 - m)', '_foreach_lerp_'),
    ('t.lerp_(o, 0.01)', 'lerp_'),
    ('t.data = torch.lerp(t, o, 0.01)', 'lerp'),
    ('t.mul_(m).add_(o, alpha=1 - m)', 'EMA by hand'),
    ('t.mul_(m).add_(o * (1 - m))', 'EMA by hand'),
    ('ema = ExponentialMovingAverage(model)', 'ExponentialMovingAverage'),
    ('self.target_net.held = True', '.held'),
    ('encoder.momentum = 0.9', '.momentum'),
    ('encoder.momentum *= 0.5', '.momentum'),
    ("setattr(encoder, 'held', False)", '.held'),
])
def test_the_scan_finds_each_kind_of_second_path(line, what):
    found = second_ema_paths(line, 'mmpixpro/models/algorithms/new.py')
    assert len(found) >= 1 and what in found[0]
    if what.startswith('.'):  # the control homes may write m and held
        assert second_ema_paths(line, CONTROL_HOMES[1]) == []
