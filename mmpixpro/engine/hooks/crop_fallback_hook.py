# Copyright (c) mmpixpro contributors. All rights reserved.
"""Log how many constrained crops fell back to the centre crop."""
from typing import Optional, Sequence

from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS

# metainfo key of each sample (MultiViewTransform), packed by PackInputs
FALLBACKS_KEY = 'crop_fallbacks'
# message-hub scalar, logged with the loss as ``crop_fallbacks``
SCALAR_KEY = f'train/{FALLBACKS_KEY}'


def batch_crop_fallbacks(data_batch: Optional[dict]) -> Optional[int]:
    """The crops of a batch that fell back to the centre crop.

    :class:`~mmpixpro.datasets.MultiViewTransform` counts, per sample, the
    views whose :class:`~mmpixpro.datasets.RandomResizedCropWithBox` found
    no placement in ``max_attempts`` tries (e.g. none with ``min_share`` of
    its area inside the reference view) and took the centre crop;
    ``PackInputs(meta_keys=[..., 'crop_fallbacks'])`` puts the count in each
    data sample's metainfo.

    Args:
        data_batch (dict, optional): A batch with ``data_samples``.

    Returns:
        int | None: The sum over the batch's samples, or None when no sample
        carries ``crop_fallbacks`` (e.g. a two-view pipeline that does not
        pack it).
    """
    samples: Sequence = (data_batch or {}).get('data_samples') or []
    counts = [
        sample.metainfo[FALLBACKS_KEY] for sample in samples
        if FALLBACKS_KEY in getattr(sample, 'metainfo', {})
    ]
    if not counts:
        return None
    return int(sum(int(c) for c in counts))


@HOOKS.register_module()
class CropFallbackHook(Hook):
    """Put each batch's count of centre-crop fallbacks in the message hub.

    After every train iteration, the batch's fallbacks
    (:func:`batch_crop_fallbacks`) become the scalar
    ``train/crop_fallbacks``, which ``LoggerHook`` writes with the loss
    (``crop_fallbacks`` in the log line and ``scalars.json``). The logged
    value is the count of the logged iteration's batch on this rank (it is
    not smoothed, as mmengine's ``LogProcessor`` smooths only losses and
    times); the message hub keeps every iteration's count in its history
    buffer. A batch without the field (two-view pipelines) logs nothing.
    The hook keeps no state of its own, so a resume loses nothing.
    """

    priority = 'NORMAL'  # before LoggerHook (BELOW_NORMAL)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Record the batch's fallbacks, if its samples count them.

        Args:
            runner (Runner): The runner.
            batch_idx (int): Index of the batch in the epoch.
            data_batch (dict, optional): The batch (``data_samples``).
            outputs (dict, optional): The losses (unused).
        """
        count = batch_crop_fallbacks(data_batch)
        if count is not None:
            runner.message_hub.update_scalar(SCALAR_KEY, count)
