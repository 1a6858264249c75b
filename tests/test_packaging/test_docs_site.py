# Copyright (c) mmpixpro contributors. All rights reserved.
"""The documentation site (docs/en, Sphinx + MyST) builds with warnings as
errors, its API pages document every registered component, and a broken
link or reference does fail the build."""
import importlib
import os.path as osp
import subprocess
import sys

import pytest
from pixpro_testing import ROOT

import mmpixpro.registry as registries
from mmpixpro.utils import register_all_modules

pytestmark = pytest.mark.slow  # a Sphinx build in a subprocess (~20 s)

DOCS = osp.join(ROOT, 'docs', 'en')


def sphinx_build(src, out, confdir=DOCS) -> subprocess.CompletedProcess:
    """``make docs``'s command: warnings are errors, nitpicky references,
    every warning reported."""
    return subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-n', '-q',
         '-b', 'html', '-c', confdir, str(src), str(out)],
        capture_output=True, text=True, timeout=600)


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('docs') / 'html'
    return sphinx_build(DOCS, out), out


def test_site_builds_without_warnings(site):
    proc, out = site
    assert proc.returncode == 0, proc.stderr[-5000:]
    for page in ('index', 'get_started', 'api/models', 'results/'
                 'demo_comparison'):
        assert (out / f'{page}.html').is_file(), page


def _documented(out) -> dict:
    """Full name -> object for every class and function in the API pages."""
    # sphinx comes with `make install`; the downstream environment, which
    # also collects this module, does not have it
    from sphinx.util.inventory import InventoryFile
    with open(out / 'objects.inv', 'rb') as f:
        inventory = InventoryFile.load(f, '', osp.join)
    found = {}
    for kind in ('py:class', 'py:function', 'py:exception'):
        for name in inventory.get(kind, {}):
            module, _, attr = name.rpartition('.')
            found[name] = getattr(importlib.import_module(module), attr)
    return found


def test_every_registered_component_has_an_api_entry(site):
    proc, out = site
    assert proc.returncode == 0, proc.stderr[-3000:]
    documented = _documented(out)
    register_all_modules()
    checked = 0
    for name in registries.__all__:
        registry = getattr(registries, name)
        for key, obj in registry.module_dict.items():
            if not obj.__module__.startswith('mmpixpro'):
                continue  # a stub registered by another test module
            entries = [n for n, o in documented.items() if o is obj]
            assert entries, f'{name} {key} ({obj.__module__}) has no API ' \
                'entry: add its module to a page in docs/en/api/'
            checked += 1
    assert checked >= 30  # models, hooks, transforms, ...


MINI_INDEX = """# Mini

A [missing page](missing.md), a [missing heading](#no-such-heading).

```{toctree}
api
```
"""
MINI_API = """API
===

A reference to :class:`NoSuchComponent` and one to :func:`no_such_helper`.
"""


def test_broken_links_and_references_fail_the_build(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    (src / 'index.md').write_text(MINI_INDEX)
    (src / 'api.rst').write_text(MINI_API)
    (src / 'orphan.md').write_text('# In no toctree\n')
    proc = sphinx_build(src, tmp_path / 'html')
    assert proc.returncode != 0
    for message in ("'missing.md'", 'no-such-heading', 'NoSuchComponent',
                    'no_such_helper', "isn't included in any toctree"):
        assert message in proc.stderr, (message, proc.stderr[-3000:])
