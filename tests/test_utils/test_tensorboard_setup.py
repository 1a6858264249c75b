# Copyright (c) mmpixpro contributors. All rights reserved.
"""TensorBoard backend: added when installed ('auto'), required (True),
never (False); a listed backend is left alone."""
import importlib.util

import pytest
from mmengine.config import Config
from pixpro_testing import DEMO

from mmpixpro.utils import setup_tensorboard


def backend_types(cfg):
    return [b['type'] for b in cfg.visualizer.vis_backends]


@pytest.fixture
def installed(monkeypatch):
    """Pretend the tensorboard package is (True) or is not (False) there."""
    real = importlib.util.find_spec

    def set_installed(flag):
        monkeypatch.setattr(
            importlib.util, 'find_spec', lambda name, *a: (
                object() if flag else None) if name == 'tensorboard' else
            real(name, *a))
    return set_installed


@pytest.mark.parametrize('mode,present,expected', [
    ('auto', True, ['LocalVisBackend', 'TensorboardVisBackend']),
    ('auto', False, ['LocalVisBackend']),
    (False, True, ['LocalVisBackend']),
    (True, True, ['LocalVisBackend', 'TensorboardVisBackend']),
])
def test_backends(installed, mode, present, expected):
    installed(present)
    cfg = Config.fromfile(DEMO)
    assert cfg.tensorboard == 'auto'  # the default of default_runtime.py
    cfg.tensorboard = mode
    assert backend_types(setup_tensorboard(cfg)) == expected


def test_required_but_missing_names_the_package(installed):
    installed(False)
    cfg = Config.fromfile(DEMO)
    cfg.tensorboard = True
    with pytest.raises(ImportError, match='pip install tensorboard'):
        setup_tensorboard(cfg)


def test_listed_backend_kept_once(installed):
    installed(True)
    cfg = Config.fromfile(DEMO)
    cfg.visualizer.vis_backends.append(
        dict(type='TensorboardVisBackend', save_dir='tb'))
    setup_tensorboard(cfg)
    assert backend_types(cfg).count('TensorboardVisBackend') == 1
    assert cfg.visualizer.vis_backends[-1]['save_dir'] == 'tb'


def test_bad_value_is_refused():
    cfg = Config.fromfile(DEMO)
    cfg.tensorboard = 'yes'
    with pytest.raises(ValueError, match="'yes'"):
        setup_tensorboard(cfg)
