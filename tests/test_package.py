# Copyright (c) mmpixpro contributors. All rights reserved.
"""The package imports cheaply: no mmdet/mmseg/detectron2, no CUDA init."""
import subprocess
import sys

CODE = '''
import sys
import mmpixpro
light = sorted(m for m in ('mmdet', 'mmseg', 'detectron2', 'mmpretrain',
                           'torch') if m in sys.modules)
from mmpixpro.utils import register_all_modules
register_all_modules()
import torch
heavy = sorted(m for m in ('mmdet', 'mmseg', 'detectron2') if m in sys.modules)
print(light, heavy, torch.cuda.is_initialized(), mmpixpro.__version__)
'''


def test_import_is_light_and_has_no_downstream_frameworks():
    out = subprocess.run([sys.executable, '-c', CODE], capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()
    # `import mmpixpro` alone imports neither torch nor mmpretrain; with all
    # modules registered there is still no mmdet/mmseg/detectron2 and CUDA
    # is not initialised
    assert out[-1].startswith('[] [] False ')
    assert out[-1].rsplit(' ', 1)[1].count('.') == 2  # the version


def test_registries_are_children_of_mmpretrain_in_scope_mmpixpro():
    from mmpretrain.registry import MODELS as PRETRAIN_MODELS

    from mmpixpro.registry import DATASETS, HOOKS, MODELS, TRANSFORMS
    for registry in (MODELS, DATASETS, TRANSFORMS, HOOKS):
        assert registry.scope == 'mmpixpro'
    assert MODELS.parent is PRETRAIN_MODELS
    # ours first, then mmpretrain's
    assert MODELS.get('PixPro').__module__.startswith('mmpixpro')
    assert MODELS.get('ResNet').__module__.startswith('mmpretrain')
