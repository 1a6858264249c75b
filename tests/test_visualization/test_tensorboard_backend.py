# Copyright (c) mmpixpro contributors. All rights reserved.
"""TensorboardIfInstalled: TensorBoard where the package is, nothing where
it is not; the default of every config, whatever builds the Runner."""
import importlib.util

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.visualization import TensorboardVisBackend, Visualizer
from pixpro_testing import DEMO

from mmpixpro.visualization import NoVisBackend


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


@pytest.mark.parametrize('present,backend', [(True, TensorboardVisBackend),
                                             (False, NoVisBackend)])
def test_demo_visualizer_backends(installed, present, backend, tmp_path):
    installed(present)
    cfg = Config.fromfile(DEMO).visualizer
    assert 'tensorboard' not in Config.fromfile(DEMO)  # no tool-only key
    vis = Visualizer.get_instance(f'tb_{present}', save_dir=str(tmp_path),
                                  vis_backends=cfg.vis_backends)
    backends = [type(b) for b in vis._vis_backends.values()]
    assert backends[1] is backend and backends[0].__name__ == \
        'LocalVisBackend'
    if not present:  # the no-op backend takes every call
        vis.add_scalars({'loss': 1.0}, step=1)
        vis.add_image('views', np.zeros((4, 4, 3), np.uint8))
        assert (tmp_path / 'vis_data' / 'scalars.json').is_file()
