# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/analysis_tools/disk_peak_plugin.py reports the disk a test held at
the end of its body (before pytest removed its tmp_path)."""
import os.path as osp
import re
import subprocess
import sys

from pixpro_testing import ROOT

INNER = '''
def test_writes_48_mib(tmp_path):
    (tmp_path / 'blob').write_bytes(b'x' * (48 << 20))


def test_writes_nothing():
    pass
'''


def test_peak_counts_a_file_that_pytest_removes_afterwards(tmp_path):
    (tmp_path / 'test_inner.py').write_text(INNER)
    env = {'PYTHONPATH': osp.join(ROOT, 'tools', 'analysis_tools'),
           'DISK_PEAK_DIR': str(tmp_path / 'records'),
           'PATH': '/usr/bin:/bin'}
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-p', 'disk_peak_plugin', '--basetemp', str(tmp_path / 'base'),
         '-o', 'tmp_path_retention_policy=failed',  # as setup.cfg
         str(tmp_path / 'test_inner.py')],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not osp.exists(tmp_path / 'base' / 'test_writes_48_mib0' / 'blob')
    peak = re.search(r'disk peak: (-?\d+) MiB above the session start '
                     r'\(3 records\), after (\S+)', result.stdout)
    assert peak, result.stdout
    # other processes may write meanwhile: at least the blob, not far more
    assert 48 <= int(peak.group(1)) < 48 + 512
    assert peak.group(2).endswith('test_writes_48_mib')
