# Copyright (c) mmpixpro contributors. All rights reserved.
"""Count, report and bound the images that could not be decoded."""
from typing import Iterable, List, Optional

from mmengine.dist import get_world_size
from mmengine.hooks import Hook

from mmpixpro.datasets.image_folder import SKIPPED_KEY
from mmpixpro.registry import HOOKS

_INFO_KEY = 'broken_images'  # message-hub runtime info (saved on resume)


class TooManyBrokenImagesError(RuntimeError):
    """More images failed to decode than the configured fraction."""


def skipped_paths(data_batch: Optional[dict]) -> List[str]:
    """Paths that the dataset skipped while building ``data_batch``.

    :class:`UnlabeledImageFolder` replaces an undecodable sample by another
    one and lists the skipped file(s) in the replacement's data sample
    metainfo; this travels through dataloader workers with the batch.

    Args:
        data_batch (dict, optional): A batch with ``data_samples``.

    Returns:
        list[str]: Skipped file paths (possibly with repeats).
    """
    samples = (data_batch or {}).get('data_samples') or []
    paths: List[str] = []
    for sample in samples:
        metainfo = getattr(sample, 'metainfo', {})
        paths.extend(metainfo.get(SKIPPED_KEY, ()))
    return paths


@HOOKS.register_module()
class BrokenImageHook(Hook):
    """Warn once per unusable (undecodable or too small) image, log the
    count, stop past a limit.

    The files seen so far are kept in the message hub's runtime info
    (``broken_images``), so they survive a resume; their number is logged
    as ``broken_images``. The fraction is taken over the images this rank
    reads (``len(dataset) / world_size``); counts are per rank.

    Args:
        max_fraction (float): Largest tolerated fraction of broken images;
            beyond it the run stops with :class:`TooManyBrokenImagesError`.
            Defaults to 0.01.
    """

    priority = 'NORMAL'

    def __init__(self, max_fraction: float = 0.01) -> None:
        if not 0 <= max_fraction <= 1:
            raise ValueError(f'max_fraction must be in [0, 1], got '
                             f'{max_fraction}')
        self.max_fraction = max_fraction

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Record the files skipped for this batch."""
        known = runner.message_hub.get_info(_INFO_KEY, [])
        new = sorted(set(skipped_paths(data_batch)) - set(known))
        for path in new:
            runner.logger.warning(f'Skipped an unusable image: {path}')
        if new:
            known = sorted(set(known) | set(new))
            runner.message_hub.update_info(_INFO_KEY, known)
        runner.message_hub.update_scalar('train/broken_images', len(known))
        if new:
            self._check_fraction(runner, known)

    def _check_fraction(self, runner, known: Iterable[str]) -> None:
        """Raise if the broken fraction of this rank's share is too high."""
        known = list(known)
        share = len(runner.train_dataloader.dataset) / get_world_size()
        if len(known) > self.max_fraction * share:
            raise TooManyBrokenImagesError(
                f'{len(known)} of about {int(share)} images failed to decode '
                f'(more than max_fraction={self.max_fraction}); e.g. '
                f'{known[:5]}. Fix or remove them, or raise '
                'BrokenImageHook.max_fraction.')
