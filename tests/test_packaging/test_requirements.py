# Copyright (c) mmpixpro contributors. All rights reserved.
"""setup.cfg and requirements/runtime.txt state the same version bounds,
and this environment satisfies them."""
import configparser
import importlib.metadata
import os.path as osp

from packaging.requirements import Requirement
from packaging.version import Version
from pixpro_testing import ROOT


def _lines(text: str) -> list:
    return [line.split('#')[0].strip() for line in text.splitlines()
            if line.split('#')[0].strip()]


def _install_requires() -> list:
    cfg = configparser.ConfigParser()
    cfg.read(osp.join(ROOT, 'setup.cfg'))
    return _lines(cfg['options']['install_requires'])


def test_setup_cfg_and_runtime_txt_agree():
    with open(osp.join(ROOT, 'requirements', 'runtime.txt')) as f:
        assert _lines(f.read()) == _install_requires()


def test_every_stack_package_has_a_lower_bound_met_here():
    bounded = {'torch', 'torchvision', 'mmengine', 'mmcv-lite', 'mmpretrain',
               'numpy'}
    for line in _install_requires():
        req = Requirement(line)
        installed = Version(importlib.metadata.version(req.name))
        assert req.specifier.contains(installed, prereleases=True), (
            line, installed)
        if req.name in bounded:
            assert any(s.operator == '>=' for s in req.specifier), line
            bounded.discard(req.name)
    assert not bounded  # each of them is listed
