# Copyright (c) mmpixpro contributors. All rights reserved.
"""The ``MANIFEST.json`` of a built demo set: what it was built from, so a
second build with the same recipe is skipped."""
import json
import os.path as osp
from typing import Dict, Optional

MANIFEST_NAME = 'MANIFEST.json'


def read_manifest(out_dir: str) -> Optional[Dict]:
    """The manifest of a built set, or None when absent or unreadable.

    Args:
        out_dir (str): The set's folder.

    Returns:
        dict | None: The parsed ``MANIFEST.json``.
    """
    try:
        with open(osp.join(out_dir, MANIFEST_NAME)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def manifest_matches(out_dir: str, version: int,
                     options: Dict) -> Optional[Dict]:
    """The manifest if the set was built by this recipe, else None.

    Args:
        out_dir (str): The set's folder.
        version (int): The builder's recipe version.
        options (dict): The build options of this run.

    Returns:
        dict | None: The manifest when its ``version`` and ``options``
        equal these.
    """
    manifest = read_manifest(out_dir)
    if (manifest and manifest.get('version') == version
            and manifest.get('options') == options):
        return manifest
    return None
