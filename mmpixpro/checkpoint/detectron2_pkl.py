# Copyright (c) mmpixpro contributors. All rights reserved.
"""detectron2's model-zoo weights files (``.pkl`` of numpy arrays).

Written atomically like every checkpoint file; read by an unpickler that
builds numpy arrays and plain types only.
"""
import pickle
from typing import Mapping

import numpy as np
import torch
from torch import Tensor

from .writing import atomic_target

AUTHOR = 'mmpixpro'


def save_d2_pkl(weights: Mapping[str, Tensor], path: str) -> None:
    """Write a detectron2 model-zoo style ``.pkl``.

    Args:
        weights (Mapping[str, Tensor]): detectron2 names -> tensors.
        path (str): Output file.
    """
    model = {k: v.detach().cpu().numpy() for k, v in weights.items()}
    with atomic_target(path) as tmp, open(tmp, 'wb') as f:
        pickle.dump(
            dict(model=model, __author__=AUTHOR, matching_heuristics=True),
            f,
            protocol=4)


class _ArraysOnly(pickle.Unpickler):
    """Unpickler that builds numpy arrays and plain types, nothing else."""

    _ALLOWED = {('numpy._core.multiarray', '_reconstruct'),
                ('numpy.core.multiarray', '_reconstruct'),
                ('numpy', 'ndarray'), ('numpy', 'dtype')}

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f'refusing to load {module}.{name} from a weights file')
        return super().find_class(module, name)


def load_d2_pkl(path: str) -> dict:
    """Read a detectron2 ``.pkl`` without running arbitrary code.

    Args:
        path (str): A file written by :func:`save_d2_pkl` (or any
            detectron2 model-zoo file of numpy arrays).

    Returns:
        dict: ``{'model': {name: Tensor}, ...}``.
    """
    with open(path, 'rb') as f:
        try:
            data = _ArraysOnly(f, encoding='latin1').load()
        except (pickle.UnpicklingError, EOFError, ValueError) as err:
            if str(err).startswith('refusing'):  # code in the file
                raise
            raise ValueError(f'{path}: not a detectron2 .pkl weights file '
                             f'({type(err).__name__}: {err}); a torch '
                             'checkpoint or a fine-tuned detectron2 model is '
                             'no export (use --eval-only to evaluate one).'
                             ) from err
    if not isinstance(data, dict) or 'model' not in data:
        raise ValueError(f'{path}: not a detectron2 weights file (no '
                         '"model").')
    data['model'] = {k: torch.from_numpy(np.asarray(v))
                     for k, v in data['model'].items()}
    return data
