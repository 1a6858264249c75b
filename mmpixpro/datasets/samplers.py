# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Sized

from mmengine.dataset import DefaultSampler

from mmpixpro.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class EpochSeedSampler(DefaultSampler):
    """``DefaultSampler`` that also tells the dataset the epoch and seed.

    ``set_epoch`` (called by mmengine's ``DistSamplerSeedHook`` before each
    epoch, before the dataloader iterator is created) forwards
    ``(epoch, self.seed)`` to ``dataset.set_epoch`` when the dataset has
    one, so that :class:`UnlabeledImageFolder` seeds every sample from
    (seed, epoch, index). The seed is the sampler's (synchronised across
    ranks), so all ranks and workers agree. Epoch 0 is set at construction.

    Args:
        dataset (Sized): The dataset.
        shuffle (bool): Whether to shuffle the indices. Defaults to True.
        seed (int, optional): Seed of the shuffle and the augmentations; if
            None a random seed is drawn and synchronised across ranks.
            Defaults to None.
        round_up (bool): Whether to pad the indices to a multiple of the
            world size. Defaults to True.
    """

    def __init__(self,
                 dataset: Sized,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        super().__init__(
            dataset, shuffle=shuffle, seed=seed, round_up=round_up)
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch of the shuffle and of the dataset's augmentations.

        Args:
            epoch (int): Epoch number.
        """
        super().set_epoch(epoch)
        if hasattr(self.dataset, 'set_epoch'):
            self.dataset.set_epoch(epoch, self.seed)
