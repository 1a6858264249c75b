# Copyright (c) mmpixpro contributors. All rights reserved.
"""Strict comparison of a state_dict with the one an architecture expects."""
from typing import Iterable, List, Mapping, Sequence, Tuple

from torch import Tensor

Shape = Tuple[int, ...]
_SHOW = 8  # keys listed per kind of problem


class KeyMismatchError(KeyError):
    """Weights that do not fit an architecture key-for-key.

    Args:
        what (str): What was checked, e.g. ``'mmdet ResNet-50 export'``.
        missing (Sequence[str]): Keys the architecture needs but lacks.
        unexpected (Sequence[str]): Keys the architecture does not have.
        wrong_shape (Sequence[str]): ``'key: got (..) expected (..)'``.
    """

    def __init__(self, what: str, missing: Sequence[str],
                 unexpected: Sequence[str],
                 wrong_shape: Sequence[str]) -> None:
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.wrong_shape = list(wrong_shape)
        lines = [f'{what}: the weights do not match the architecture.']
        for title, keys in (('missing', self.missing),
                            ('unexpected', self.unexpected),
                            ('wrong shape', self.wrong_shape)):
            if keys:
                shown = ', '.join(keys[:_SHOW])
                more = f' ... (+{len(keys) - _SHOW})' if len(
                    keys) > _SHOW else ''
                lines.append(f'  {len(keys)} {title}: {shown}{more}')
        super().__init__('\n'.join(lines))

    def __str__(self) -> str:  # KeyError would quote the whole message
        return self.args[0]


def shapes_of(state_dict: Mapping[str, Tensor]) -> dict:
    """Map each key to the shape of its tensor.

    Args:
        state_dict (Mapping[str, Tensor]): Any state_dict.

    Returns:
        dict[str, tuple[int]]: ``key -> shape``.
    """
    return {key: tuple(value.shape) for key, value in state_dict.items()}


def check_keys_and_shapes(actual: Mapping[str, Tensor],
                          expected: Mapping[str, Iterable[int]],
                          what: str) -> None:
    """Raise unless ``actual`` has exactly the keys and shapes expected.

    Args:
        actual (Mapping[str, Tensor]): The weights to check.
        expected (Mapping[str, Iterable[int]]): ``key -> shape`` of the
            architecture.
        what (str): Named in the error message.

    Raises:
        KeyMismatchError: Listing missing, unexpected and mis-shaped keys.
    """
    missing = sorted(set(expected) - set(actual))
    unexpected = sorted(set(actual) - set(expected))
    wrong_shape: List[str] = []
    for key in sorted(set(actual) & set(expected)):
        got, want = tuple(actual[key].shape), tuple(expected[key])
        if got != want:
            wrong_shape.append(f'{key}: got {got}, expected {want}')
    if missing or unexpected or wrong_shape:
        raise KeyMismatchError(what, missing, unexpected, wrong_shape)
