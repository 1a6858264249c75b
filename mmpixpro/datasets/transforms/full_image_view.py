# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional, Tuple, Union

from mmpixpro.registry import TRANSFORMS
from .random_resized_crop import Crop, RandomResizedCropWithBox


@TRANSFORMS.register_module()
class FullImageWithBox(RandomResizedCropWithBox):
    """The whole image resized to ``size``, with its box ``(0, 0, 1, 1)``.

    R2O's third, "raw" view (`arXiv:2208.11821
    <https://arxiv.org/abs/2208.11821>`_): the full image resized to a
    square (224 x 224, aspect ratio not kept), un-flipped and without
    colour augmentation, from which the superpixels and the object masks
    are computed. A :class:`RandomResizedCropWithBox` whose crop is always
    the whole image, so :class:`MultiViewTransform` and the config check
    (view sizes) treat it as any other view. The authors resize bicubically.

    Args:
        size (int | tuple[int, int]): Output ``(h, w)``. Defaults to 224.
        interpolation (str): Defaults to ``'bicubic'`` (the authors').
    """

    def __init__(self,
                 size: Union[int, Tuple[int, int]] = 224,
                 interpolation: str = 'bicubic') -> None:
        super().__init__(size=size, scale=(1.0, 1.0),
                         interpolation=interpolation)

    def sample_crop(self,
                    height: int,
                    width: int,
                    ref_crop: Optional[Crop] = None) -> Tuple[Crop, bool]:
        """The whole image, never a fallback.

        Args:
            height (int): Image height H.
            width (int): Image width W.
            ref_crop (tuple, optional): Ignored.

        Returns:
            tuple[tuple[int, int, int, int], bool]: ``((0, 0, H, W),
            False)``.
        """
        return (0, 0, height, width), False

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f"interpolation='{self.interpolation}')")
