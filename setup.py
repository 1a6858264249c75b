# Copyright (c) mmpixpro contributors. All rights reserved.
"""Build shim: metadata lives in setup.cfg; this file adds ``.mim``.

OpenMMLab packages carry their configs, tools and ``model-index.yml`` in
``<package>/.mim`` so that ``mim train mmpixpro CONFIG`` and
``mim search mmpixpro`` work from an installed wheel, without the
repository. The copy is made in the build directory only (``build_py``), so
the source tree never holds a second, stale set of configs; an editable
install (``pip install -e .``) has none and reads the repository's own
``configs/`` and ``tools/``.
"""
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

PACKAGE = 'mmpixpro'
# what goes into <package>/.mim, relative to the project root
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')
IGNORED = shutil.ignore_patterns('__pycache__', '*.pyc')


class BuildPyWithMim(build_py):
    """``build_py`` that also copies :data:`MIM_ITEMS` into
    ``<build_lib>/mmpixpro/.mim`` (skipped for editable installs)."""

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        root = osp.dirname(osp.abspath(__file__))
        target = osp.join(self.build_lib, PACKAGE, '.mim')
        if osp.isdir(target):
            shutil.rmtree(target)
        os.makedirs(target)
        for item in MIM_ITEMS:
            src = osp.join(root, item)
            if not osp.exists(src):
                raise FileNotFoundError(
                    f'{src} is missing: a source distribution must carry '
                    f'{", ".join(MIM_ITEMS)} (see MANIFEST.in)')
            if osp.isdir(src):
                shutil.copytree(src, osp.join(target, item), ignore=IGNORED)
            else:
                shutil.copy2(src, target)


if __name__ == '__main__':
    setup(cmdclass={'build_py': BuildPyWithMim})
