# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/dataset_converters/pack_zip.py."""
import os.path as osp
import subprocess
import sys
import zipfile

import pytest
from pixpro_testing import ROOT, load_tool, write_image

from mmpixpro.datasets import read_file_list

SCRIPT = osp.join(ROOT, 'tools', 'dataset_converters', 'pack_zip.py')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools', 'dataset_converters', 'pack_zip.py')


@pytest.fixture
def root(tmp_path):
    root = tmp_path / 'train'
    for i, rel in enumerate(['n02/b.jpg', 'n01/a.png', 'n01/c.png',
                             '.hidden/h.png']):
        write_image(root / rel, seed=i)
    (root / 'n01' / 'anim.gif').write_bytes(b'GIF89a')
    return root


def test_packs_the_folder_search(tool, root, tmp_path, capsys):
    out = tmp_path / 'zip'
    tool.main([str(root), str(out), '--images-per-shard', '2'])
    assert read_file_list(str(out / 'train.txt')) == [
        'train-00000.zip@n01/a.png', 'train-00000.zip@n01/c.png',
        'train-00001.zip@n02/b.jpg'
    ]
    with zipfile.ZipFile(out / 'train-00001.zip') as zf:
        assert zf.namelist() == ['n02/b.jpg']
        assert zf.read('n02/b.jpg') == (root / 'n02' / 'b.jpg').read_bytes()
    printed = capsys.readouterr().out
    assert '3 images packed into 2 zip archive(s)' in printed


def test_packs_a_file_list_in_its_order(tool, root, tmp_path):
    (tmp_path / 'list.txt').write_text('n02/b.jpg 1\nn01/a.png 0\n')
    tool.main([str(root), str(tmp_path / 'zip'), '--ann-file',
               str(tmp_path / 'list.txt'), '--prefix', 'part'])
    assert read_file_list(str(tmp_path / 'zip' / 'part.txt')) == [
        'part-00000.zip@n02/b.jpg', 'part-00000.zip@n01/a.png'
    ]


def test_refuses_to_overwrite_a_packed_set(tool, root, tmp_path):
    tool.main([str(root), str(tmp_path / 'zip')])
    with pytest.raises(SystemExit, match='train.txt.* exists'):
        tool.main([str(root), str(tmp_path / 'zip')])


def test_runs_as_a_script(root, tmp_path):
    done = subprocess.run(
        [sys.executable, SCRIPT, str(root), str(tmp_path / 'zip'),
         '--num-workers', '2'], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / 'zip' / 'train-00000.zip').is_file()
