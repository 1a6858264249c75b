# Copyright (c) mmpixpro contributors. All rights reserved.
"""Run the tools shipped with mmpixpro, from a wheel or a clone.

Examples:
    python -m mmpixpro list
    python -m mmpixpro train pixpro_r18_demo --work-dir work_dirs/demo
    python -m mmpixpro build_demo_set --out data/demo
    mmpixpro train configs/pixpro/pixpro_r50_8xb128.py  # console script

A wheel carries the configs and tools in ``mmpixpro/.mim`` (the layout
``mim`` reads); a clone or an editable install uses the repository's
``configs/`` and ``tools/``. ``TOOL`` is the name of a script under
``tools/`` without ``.py``; ``train`` also accepts a config by name.
"""
import difflib
import glob
import os.path as osp
import runpy
import sys
from typing import List, Optional

PACKAGE_DIR = osp.dirname(osp.abspath(__file__))
USAGE = ('usage: python -m mmpixpro TOOL [ARGS...]\n'
         '       python -m mmpixpro list        (tools and configs)\n'
         '       python -m mmpixpro train CONFIG [ARGS...]   CONFIG: a path '
         'or a name such as pixpro_r18_demo')


def resource_root(package_dir: str = PACKAGE_DIR) -> str:
    """The folder holding ``configs/`` and ``tools/``.

    Args:
        package_dir (str): The ``mmpixpro`` package folder.

    Returns:
        str: ``<package>/.mim`` in an installed wheel, else the repository
        root of a clone or an editable install.
    """
    candidates = [osp.join(package_dir, '.mim'), osp.dirname(package_dir)]
    for root in candidates:
        if all(osp.isdir(osp.join(root, d)) for d in ('configs', 'tools')):
            return root
    raise FileNotFoundError(
        f'no configs/ and tools/ in {" or ".join(candidates)}: this '
        'mmpixpro was installed without them (reinstall from a wheel or a '
        'clone)')


def _scripts(root: str, folder: str) -> List[str]:
    """Every ``.py`` file under ``root/folder`` except ``_base_`` parts."""
    paths = glob.glob(osp.join(root, folder, '**', '*.py'), recursive=True)
    return sorted(p for p in paths
                  if '_base_' not in p.split(osp.sep)
                  and not osp.basename(p).startswith('_'))


def find_unique(name: str, paths: List[str], kind: str) -> str:
    """The one path whose file name is ``name`` or ``name.py``.

    Args:
        name (str): A file name, with or without ``.py``.
        paths (list[str]): Candidate paths.
        kind (str): What is looked for (``'tool'``, ``'config'``), for the
            error message.

    Returns:
        str: The matching path.

    Raises:
        ValueError: No path, or more than one, matches; the message names
            close matches or the ambiguous paths.
    """
    stem = name[:-3] if name.endswith('.py') else name
    found = [p for p in paths if osp.basename(p) == stem + '.py']
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f'{kind} {name!r} is ambiguous: {found}; give a '
                         'path')
    stems = [osp.basename(p)[:-3] for p in paths]
    close = difflib.get_close_matches(stem, stems, n=5)
    hint = f'; close: {", ".join(close)}' if close else ''
    raise ValueError(f'no {kind} named {name!r}{hint} (python -m mmpixpro '
                     'list shows all)')


def resolve_config(config: str, root: str) -> str:
    """A config path as given, or the shipped config of that name."""
    if osp.isfile(config):
        return config
    return find_unique(config, _scripts(root, 'configs'), 'config')


def list_resources(root: str) -> str:
    """The tools and configs under ``root``, one per line."""
    lines = [f'resources: {root}', 'tools:']
    lines += [f'  {osp.basename(p)[:-3]}' for p in _scripts(root, 'tools')]
    lines.append('configs:')
    lines += [f'  {osp.relpath(p, root)}' for p in _scripts(root, 'configs')]
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    """Run ``tools/<TOOL>.py`` with the remaining arguments.

    Args:
        argv (list[str], optional): Arguments after the program name.
            Defaults to ``sys.argv[1:]``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE)
        return
    root = resource_root()
    tool, args = argv[0], argv[1:]
    if tool == 'list':
        print(list_resources(root))
        return
    try:
        script = find_unique(tool, _scripts(root, 'tools'), 'tool')
        if tool == 'train' and args and not args[0].startswith('-'):
            args[0] = resolve_config(args[0], root)
    except ValueError as err:
        sys.exit(f'{err}\n{USAGE}')
    sys.argv = [script, *args]
    runpy.run_path(script, run_name='__main__')


if __name__ == '__main__':
    main()
