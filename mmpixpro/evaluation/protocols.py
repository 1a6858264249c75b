# Copyright (c) mmpixpro contributors. All rights reserved.
"""Evaluation protocols: named, fixed ways to score a frozen backbone.

A protocol is a function registered in
:data:`mmpixpro.registry.EVAL_PROTOCOLS` under its name (e.g.
``'knn-cls'``). It takes the frozen backbone and the protocol's data root,
plus keyword settings that override its defaults, and returns a
:class:`ProtocolResult` that states every setting that fixes its numbers
(resolution, stage, head, schedule, label resolution, k, T, ...), so a
table of results can be put beside a paper's::

    @EVAL_PROTOCOLS.register_module(name='knn-cls')
    def knn_classification(backbone: nn.Module, data_root: str,
                           **settings) -> ProtocolResult:
        ...

``tools/analysis_tools/evaluate.py CKPT --protocols NAME ...`` runs a list
of them and prints one table.
"""
from dataclasses import asdict, dataclass, field
from typing import Dict

from torch import nn

from mmpixpro.registry import EVAL_PROTOCOLS


@dataclass
class ProtocolResult:
    """What one protocol measured, and how.

    Args:
        protocol (str): The registered name of the protocol.
        metrics (dict[str, float]): The numbers, named as the field names
            them (e.g. ``top1``, ``mIoU``, ``J&F-Mean``), in percent where
            the field reports percent.
        settings (dict): Every setting that fixes the numbers, including
            the defaults that were not overridden.
        data (str): The data root that was read.
        seconds (float): Wall time of the protocol.
        extra (dict): Anything else worth keeping in the JSON (per-class
            or per-sequence scores, sizes, memory).
    """

    protocol: str
    metrics: Dict[str, float]
    settings: Dict[str, object]
    data: str
    seconds: float = 0.0
    extra: Dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The result as plain JSON-serialisable data."""
        return asdict(self)


def run_protocol(name: str, backbone: nn.Module, data_root: str,
                 **settings) -> ProtocolResult:
    """Run the protocol registered as ``name``.

    Args:
        name (str): A name in :data:`EVAL_PROTOCOLS`.
        backbone (nn.Module): The frozen backbone
            (:func:`~mmpixpro.evaluation.load_frozen_backbone`).
        data_root (str): The protocol's data.
        **settings: Overrides of the protocol's default settings.

    Returns:
        ProtocolResult: The protocol's result.

    Raises:
        KeyError: ``name`` is not a registered protocol (the message lists
            the registered ones).
    """
    protocol = EVAL_PROTOCOLS.get(name)
    if protocol is None:
        known = ', '.join(sorted(EVAL_PROTOCOLS.module_dict))
        raise KeyError(f'no evaluation protocol {name!r}; known: {known}')
    return protocol(backbone, data_root, **settings)
