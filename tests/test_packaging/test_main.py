# Copyright (c) mmpixpro contributors. All rights reserved.
"""``python -m mmpixpro``: where it finds configs and tools, and how it
names them (the wheel case is in test_wheel.py)."""
import os.path as osp

import pytest
from pixpro_testing import ROOT

from mmpixpro.__main__ import (find_unique, list_resources, main,
                               resolve_config, resource_root)


def test_a_clone_uses_its_own_configs_and_tools(tmp_path):
    assert resource_root(osp.join(ROOT, 'mmpixpro')) == ROOT
    # a wheel's .mim wins over the folder above the package
    mim = tmp_path / 'pkg' / '.mim'
    for d in ('configs', 'tools'):
        (mim / d).mkdir(parents=True)
    assert resource_root(str(tmp_path / 'pkg')) == str(mim)
    with pytest.raises(FileNotFoundError, match='configs/ and tools/'):
        resource_root(str(tmp_path / 'empty' / 'pkg'))


def test_configs_resolve_by_name_or_path():
    demo = osp.join(ROOT, 'configs', 'pixpro', 'pixpro_r18_demo.py')
    assert resolve_config('pixpro_r18_demo', ROOT) == demo
    assert resolve_config('pixpro_r18_demo.py', ROOT) == demo
    assert resolve_config(demo, ROOT) == demo
    with pytest.raises(ValueError, match="close: pixpro_r18_demo"):
        resolve_config('pixpro_r18_dem', ROOT)


def test_ambiguous_names_are_refused():
    paths = ['/a/configs/x/run.py', '/a/configs/y/run.py', '/a/other.py']
    assert find_unique('other', paths, 'tool') == '/a/other.py'
    with pytest.raises(ValueError, match='ambiguous'):
        find_unique('run', paths, 'config')


def test_list_names_tools_and_configs_without_base_parts():
    text = list_resources(ROOT)
    assert '\n  train\n' in text
    assert '  configs/pixpro/pixpro_r18_demo.py' in text
    assert '_base_' not in text


def test_unknown_tool_exits_with_the_usage(capsys):
    with pytest.raises(SystemExit, match="no tool named 'trian'.*train"):
        main(['trian'])
    main([])
    assert capsys.readouterr().out.startswith('usage: python -m mmpixpro')
