# Copyright (c) mmpixpro contributors. All rights reserved.
"""Checks of the values a checkpoint holds."""
import math
from typing import Any, Iterator, List, Mapping, Tuple, Union

import torch
from torch import Tensor

#: values above this magnitude mark a diverged state (no trained ResNet,
#: projector, BN statistic or optimizer buffer comes near it)
DIVERGED_ABOVE = 1e10


def _leaves(obj: Any, name: str = '') -> Iterator[Tuple[str, Union[Tensor,
                                                                  float]]]:
    """The float tensors and floats of a nested structure, with names."""
    if isinstance(obj, Tensor):
        if obj.is_floating_point() or obj.is_complex():
            yield name, obj
    elif isinstance(obj, float):
        yield name, obj
    elif isinstance(obj, (Mapping, list, tuple)):
        items = obj.items() if isinstance(obj, Mapping) else enumerate(obj)
        for key, value in items:
            yield from _leaves(value, f'{name}.{key}' if name else str(key))


def _largest(value: Union[Tensor, float]) -> float:
    """The largest magnitude of a tensor or float (inf for NaN)."""
    if isinstance(value, float):
        return abs(value) if not math.isnan(value) else math.inf
    if value.numel() == 0:
        return 0.0
    if not bool(torch.isfinite(value).all()):
        return math.inf
    return float(value.detach().abs().max())


def unhealthy_entries(obj: Any, limit: float = DIVERGED_ABOVE
                      ) -> Tuple[List[str], List[Tuple[str, float]]]:
    """The non-finite and the diverged entries of ``obj``, in one pass.

    A state that is still finite but holds e.g. 2.6e30 cannot be resumed
    usefully: it is as lost as a NaN one.

    Args:
        obj (Any): A checkpoint (nested dicts, lists, tensors, scalars).
        limit (float): Finite magnitudes above it are diverged. Defaults
            to :data:`DIVERGED_ABOVE`.

    Returns:
        tuple: Names of the entries holding NaN or inf, e.g.
        ``['state_dict.backbone.bn1.running_var']``, and ``(name, largest
        magnitude)`` of the finite entries above ``limit``.
    """
    non_finite, diverged = [], []
    for key, value in _leaves(obj):
        largest = _largest(value)
        if math.isinf(largest):
            non_finite.append(key)
        elif largest > limit:
            diverged.append((key, largest))
    return non_finite, diverged


def non_finite_entries(obj: Any) -> List[str]:
    """Names of the tensors and floats in ``obj`` holding NaN or inf.

    Args:
        obj (Any): A checkpoint (nested dicts, lists, tensors, scalars).

    Returns:
        list[str]: e.g. ``['state_dict.backbone.bn1.running_var']``.
    """
    return unhealthy_entries(obj)[0]


def diverged_entries(obj: Any,
                     limit: float = DIVERGED_ABOVE) -> List[Tuple[str, float]]:
    """The finite entries of ``obj`` whose magnitude exceeds ``limit``.

    Args:
        obj (Any): A checkpoint (nested dicts, lists, tensors, scalars).
        limit (float): The magnitude bound. Defaults to
            :data:`DIVERGED_ABOVE`.

    Returns:
        list[tuple[str, float]]: ``(name, largest magnitude)`` pairs.
    """
    return unhealthy_entries(obj, limit)[1]
