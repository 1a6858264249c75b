# Copyright (c) mmpixpro contributors. All rights reserved.
"""The command line shared by the dense-evaluation tools
(``tools/analysis_tools/dense_probe.py``, ``label_propagation.py``): which
frozen backbone to read, how to name it, and where the result goes."""
import argparse
import json
from typing import Optional

import torch
from torch import nn

from .frozen_backbone import load_config_backbone, load_frozen_backbone


def add_backbone_args(parser: argparse.ArgumentParser) -> None:
    """``--checkpoint`` / ``--random-init`` / ``--depth`` / ``--config`` /
    ``--stage``.

    Args:
        parser (argparse.ArgumentParser): The tool's parser; the arguments
            are added to it, and also ``--init-seed`` and ``--threads``.
    """
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--checkpoint',
                       help='our checkpoint, an mm-format export or a '
                       'torchvision ResNet state_dict')
    group.add_argument('--random-init', action='store_true',
                       help='randomly initialised backbone (needs --depth)')
    parser.add_argument('--depth', type=int, default=None)
    parser.add_argument('--config', default=None,
                        help='training config whose model.backbone is read '
                        '(e.g. a ViT with out_type featmap: its patch map); '
                        'default: a ResNet of --depth or the checkpoint')
    parser.add_argument('--init-seed', type=int, default=0,
                        help='seed of --random-init')
    parser.add_argument('--stage', default='C5', choices=['C4', 'C5'])
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads')


def backbone_from_args(args: argparse.Namespace) -> nn.Module:
    """Build the frozen backbone the arguments describe.

    Args:
        args (argparse.Namespace): Parsed :func:`add_backbone_args`
            arguments (``--threads`` sets torch's CPU threads first).

    Returns:
        nn.Module: :func:`~mmpixpro.evaluation.load_frozen_backbone`'s
        network.
    """
    if args.threads:
        torch.set_num_threads(args.threads)
    if getattr(args, 'config', None):
        return load_config_backbone(
            args.config, None if args.random_init else args.checkpoint,
            args.init_seed)
    return load_frozen_backbone(
        None if args.random_init else args.checkpoint, args.depth,
        args.init_seed)


def backbone_label(args: argparse.Namespace) -> str:
    """The checkpoint path, or ``random-init (seed N)``.

    Args:
        args (argparse.Namespace): Parsed :func:`add_backbone_args`
            arguments.

    Returns:
        str: The label of the backbone in the result.
    """
    return args.checkpoint or f'random-init (seed {args.init_seed})'


def write_result(result: dict, path: Optional[str]) -> None:
    """Write ``result`` as JSON to ``path`` (nothing when None).

    Args:
        result (dict): The tool's result.
        path (str, optional): The ``--out`` file.
    """
    if path:
        with open(path, 'w') as f:
            json.dump(result, f, indent=1)
