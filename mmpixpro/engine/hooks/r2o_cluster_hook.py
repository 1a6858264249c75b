# Copyright (c) mmpixpro contributors. All rights reserved.
"""R2O's schedule of the number of object clusters K."""
import math
from typing import Optional, Sequence

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.registry import HOOKS

# above this K the authors skip k-means (superpixels are the masks)
NO_CLUSTERING = 9999


def cluster_schedule(epoch: float, epochs: Sequence[float],
                     values: Sequence[float]) -> int:
    """K at an epoch: the authors' cosine scheduler, piece by piece.

    Between two points ``(e_a, v_a)`` and ``(e_b, v_b)`` of the schedule,
    with ``t = (e - e_a) / (e_b - e_a)``:

        ``K = min + (max - min) * cos(pi / 2 * t)``     when ``v_a >= v_b``
        ``K = min + (max - min) * cos(pi / 2 * (1 - t))`` when ``v_a < v_b``

    (a quarter cosine from ``v_a`` to ``v_b``; ``min``, ``max`` of the
    two), ``v_0`` before the first point, the last value after the last.
    K is then truncated to an int; K > 128 means no clustering (returned
    as 9999) and K < 1 gives 1, as the authors' ``get_num_segments``.
    R2O's ImageNet recipe: ``epochs=(0, 40, 300)``, ``values=(128, 128,
    4)``: 128 for 40 epochs, then down to 4 at epoch 300. (The authors'
    scheduler takes exactly two points; with three it stops on an
    assertion, so the recipe is read piecewise.)

    Args:
        epoch (float): The 0-based epoch.
        epochs (Sequence[float]): Increasing epochs of the points.
        values (Sequence[float]): K at those epochs.

    Returns:
        int: K.
    """
    if len(epochs) != len(values) or len(epochs) < 1:
        raise ValueError('need one value per epoch point, got '
                         f'{len(epochs)} epochs and {len(values)} values')
    if epoch <= epochs[0]:
        k = values[0]
    elif epoch >= epochs[-1]:
        k = values[-1]
    else:
        b = next(i for i in range(1, len(epochs)) if epoch < epochs[i])
        (e_a, e_b), (v_a, v_b) = epochs[b - 1:b + 1], values[b - 1:b + 1]
        t = (epoch - e_a) / (e_b - e_a)
        if v_b > v_a:
            t = 1 - t
        low, high = min(v_a, v_b), max(v_a, v_b)
        k = low + (high - low) * math.cos(math.pi / 2 * t)
    k = int(k)
    if k > 128:
        return NO_CLUSTERING
    return max(k, 1)


@HOOKS.register_module()
class R2OClusterHook(Hook):
    """Set R2O's K and k-means seed from the Runner before every iteration.

    K follows :func:`cluster_schedule` of ``runner.epoch`` (per epoch, as
    the authors); the k-means draws of iteration ``runner.iter`` on rank r
    are seeded with ``seed + 1000003 * runner.iter + r``. Both are derived
    from the Runner's state alone, so a resumed run clusters as the
    uninterrupted one. K and the seed are logged (``train/num_clusters``).

    Args:
        epochs (Sequence[float]): Points of the schedule. Defaults to R2O's
            ``(0, 40, 300)``.
        values (Sequence[float]): K at those points. Defaults to R2O's
            ``(128, 128, 4)``.
        seed (int): Base seed of the k-means draws. Defaults to 0.
    """

    priority = 'NORMAL'

    def __init__(self,
                 epochs: Sequence[float] = (0, 40, 300),
                 values: Sequence[float] = (128, 128, 4),
                 seed: int = 0) -> None:
        cluster_schedule(0, epochs, values)  # checks the points
        self.epochs = tuple(epochs)
        self.values = tuple(values)
        self.seed = seed

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set ``num_clusters`` and ``kmeans_seed`` of the model."""
        model = get_ori_model(runner.model)
        k = cluster_schedule(runner.epoch, self.epochs, self.values)
        model.num_clusters = k
        model.kmeans_seed = self.seed + 1000003 * runner.iter + get_rank()
        runner.message_hub.update_scalar('train/num_clusters', k)
