# Copyright (c) mmpixpro contributors. All rights reserved.
"""A pytest plugin that measures the disk the test suite uses at once.

After the body of every test (on every pytest-xdist worker, before the
test's ``tmp_path`` is removed) it records the used bytes of the file
system holding the temporary directory; at the end it prints the peak
above the record taken at the start of the session and the test after
which it was reached::

    PYTHONPATH=tools/analysis_tools .venv/bin/python -m pytest tests -n 2 \\
        -p disk_peak_plugin

The records are in ``$DISK_PEAK_DIR`` (default: ``<tmp>/disk_peak``),
one file per worker, removed at the start of a run.
"""
import glob
import os
import os.path as osp
import tempfile
import time

import pytest

WORKER = os.environ.get('PYTEST_XDIST_WORKER', 'main')


def record_dir() -> str:
    """The folder of the per-worker records."""
    return os.environ.get('DISK_PEAK_DIR',
                          osp.join(tempfile.gettempdir(), 'disk_peak'))


def used_mib(path: str) -> int:
    """Used MiB of the file system holding ``path``."""
    stat = os.statvfs(path)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize >> 20


def pytest_sessionstart(session) -> None:
    """Start from no records (the controller, or a run without xdist)."""
    if 'PYTEST_XDIST_WORKER' not in os.environ:
        os.makedirs(record_dir(), exist_ok=True)
        for path in glob.glob(osp.join(record_dir(), 'records.*')):
            os.remove(path)
        record('<session start>')


def record(nodeid: str) -> None:
    """Append ``time used_mib nodeid`` to this process's records."""
    with open(osp.join(record_dir(), f'records.{WORKER}'), 'a') as f:
        f.write(f'{time.time():.1f} '
                f'{used_mib(tempfile.gettempdir())} {nodeid}\n')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Append ``time used_mib nodeid`` when a test's body has run (before
    its teardown removes its ``tmp_path``)."""
    yield
    record(item.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the peak (the controller, or a run without xdist)."""
    if 'PYTEST_XDIST_WORKER' in os.environ:
        return
    rows = []
    for path in glob.glob(osp.join(record_dir(), 'records.*')):
        with open(path) as f:
            rows += [line.split(' ', 2) for line in f if line.strip()]
    if not rows:
        return
    rows.sort(key=lambda row: float(row[0]))
    first = int(rows[0][1])
    peak = max(rows, key=lambda row: int(row[1]))
    terminalreporter.write_line(
        f'disk peak: {int(peak[1]) - first} MiB above the session start '
        f'({len(rows)} records), after {peak[2].strip()}')
