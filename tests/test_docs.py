# Copyright (c) mmpixpro contributors. All rights reserved.
"""Tests that docs/en/reliability.md names exist."""
import ast
import os.path as osp
import re

ROOT = osp.join(osp.dirname(osp.abspath(__file__)), '..')
PAGE = osp.join(ROOT, 'docs', 'en', 'reliability.md')


def _test_names(path: str) -> set:
    with open(path) as f:
        tree = ast.parse(f.read())
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef)}


def test_every_test_named_in_reliability_page_exists():
    with open(PAGE) as f:
        rows = [line for line in f if line.startswith('| ')]
    checked = 0
    for row in rows:
        current = None
        for ref in re.findall(r'`([\w/.]*?\.py)?::(\w+)`', row):
            file, name = ref
            if file:
                current = file if '/' in file else osp.join(
                    'tests', 'test_reliability', file)
            assert current, row
            assert name in _test_names(osp.join(ROOT, current)), (current,
                                                                  name)
            checked += 1
    assert checked >= 30
