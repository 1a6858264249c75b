# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Sequence

from mmpixpro.registry import TRANSFORMS
from .multi_view import MultiViewTransform, ViewPipeline


@TRANSFORMS.register_module()
class TwoViewTransform(MultiViewTransform):
    """Make two augmented views of one image, each with its crop box.

    The two-view case of :class:`MultiViewTransform`: two groups of one
    view each, made in pipeline order (so the same random draws, hence the
    same views, as before the N-view transform existed).

    Required keys: ``img``. Modified keys: ``img`` (list of the two views,
    (h, w, 3) ``uint8`` each), ``img_shape`` (list of their (h, w)).
    Added keys: ``crop_boxes`` (``torch.float32``, (2, 4), one
    ``(x_ul, y_ul, x_lr, y_lr)`` row per view), ``crop_fallbacks`` (int).

    Args:
        view_pipelines (Sequence[Sequence[dict | Callable]]): The two
            per-view pipelines.
    """

    def __init__(self, view_pipelines: Sequence[ViewPipeline]) -> None:
        if len(view_pipelines) != 2:
            raise ValueError('TwoViewTransform needs exactly 2 view '
                             f'pipelines, got {len(view_pipelines)}')
        super().__init__(view_pipelines, num_views=[1, 1])
