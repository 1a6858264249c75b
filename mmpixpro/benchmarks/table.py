# Copyright (c) mmpixpro contributors. All rights reserved.
"""Benchmark rows as a Markdown table."""
from typing import Dict, List


def format_table(rows: List[Dict], columns: List[str]) -> str:
    """A Markdown table of ``rows`` with the given ``columns``.

    Floats get 3 significant digits (one decimal from 100 on), None is
    shown as ``-``.

    Args:
        rows (list[dict]): One dict per row.
        columns (list[str]): Keys to show, in order.

    Returns:
        str: The table.
    """
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '---|' * len(columns)]
    lines += [
        '| ' + ' | '.join(_cell(r.get(c)) for c in columns) + ' |'
        for r in rows
    ]
    return '\n'.join(lines)


def _cell(value) -> str:
    """One value as table text."""
    if value is None:
        return '-'
    if isinstance(value, float):
        return f'{value:.3g}' if abs(value) < 100 else f'{value:.1f}'
    return str(value)
