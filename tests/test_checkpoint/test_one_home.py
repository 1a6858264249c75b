# Copyright (c) mmpixpro contributors. All rights reserved.
"""Checkpoint files are read and written in ``mmpixpro/checkpoint`` only:
this fails when a second reader or writer appears in the package or the
tools (``torch.load``/``torch.save``, pickle, a rename into place, a
reader of ``last_checkpoint``)."""
import ast
import os
import os.path as osp

from pixpro_testing import ROOT

HOME = osp.join('mmpixpro', 'checkpoint')
# (module, attribute) calls that read or write files of weights
FORBIDDEN = {('torch', 'save'), ('torch', 'load'), ('pickle', 'dump'),
             ('pickle', 'load'), ('pickle', 'Unpickler'), ('os', 'replace'),
             ('os', 'rename'), ('mmengine.runner', 'find_latest_checkpoint')}
# files allowed one use, and why
EXEMPT = {
    'tools/analysis_tools/checkpoint_load_cost.py:torch.load':
    'times torch.load alone as the baseline of the integrity check',
}


def _calls(tree: ast.AST):
    """``(module, attribute, line)`` of every ``module.attribute`` use and
    ``from module import attribute``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value,
                                                          ast.Name):
            yield node.value.id, node.attr, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name, node.lineno


def second_homes(root: str = ROOT) -> list:
    """``path:line module.attribute`` of every forbidden use outside
    :data:`HOME`."""
    found = []
    for top in ('mmpixpro', 'tools'):
        for folder, _, files in os.walk(osp.join(root, top)):
            rel = osp.relpath(folder, root)
            if rel == HOME or rel.startswith(HOME + os.sep):
                continue
            for name in sorted(f for f in files if f.endswith('.py')):
                path = osp.join(folder, name)
                with open(path, encoding='utf-8') as f:
                    tree = ast.parse(f.read(), path)
                rel_path = osp.relpath(path, root)
                found += [f'{rel_path}:{line} {mod}.{attr}'
                          for mod, attr, line in _calls(tree)
                          if (mod, attr) in FORBIDDEN
                          and f'{rel_path}:{mod}.{attr}' not in EXEMPT]
    return found


def test_checkpoint_files_have_one_home():
    assert second_homes() == []


def test_the_scan_finds_a_second_writer(tmp_path):
    tool = tmp_path / 'tools' / 'x.py'
    tool.parent.mkdir()
    tool.write_text('import torch\n\ntorch.save({}, "a.pth")\n')
    (tmp_path / 'mmpixpro').mkdir()
    assert second_homes(str(tmp_path)) == ['tools/x.py:3 torch.save']
