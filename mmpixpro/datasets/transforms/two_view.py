# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose

from mmpixpro.registry import TRANSFORMS


def build_view_pipeline(pipeline: Sequence[Union[dict, Callable]]) -> Compose:
    """Build one per-view pipeline through mmpixpro's TRANSFORMS.

    Args:
        pipeline (Sequence[dict | Callable]): Transform configs or objects.

    Returns:
        mmcv.transforms.Compose: The composed pipeline.
    """
    return Compose(
        [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])


@TRANSFORMS.register_module()
class TwoViewTransform(BaseTransform):
    """Make two augmented views of one image, each with its crop box.

    Each per-view pipeline runs on a shallow copy of the input results and
    must set ``crop_box`` (e.g. through :class:`RandomResizedCropWithBox`).
    The views are returned in pipeline order.

    Required keys: ``img``. Modified keys: ``img`` (list of the two views,
    (h, w, 3) ``uint8`` each), ``img_shape`` (list of their (h, w)).
    Added keys: ``crop_boxes`` (``torch.float32``, (2, 4), one
    ``(x_ul, y_ul, x_lr, y_lr)`` row per view).

    Args:
        view_pipelines (Sequence[Sequence[dict | Callable]]): The two
            per-view pipelines.
    """

    def __init__(self, view_pipelines: Sequence[Sequence[Union[dict,
                                                               Callable]]]):
        if len(view_pipelines) != 2:
            raise ValueError('TwoViewTransform needs exactly 2 view '
                             f'pipelines, got {len(view_pipelines)}')
        self.pipelines = [build_view_pipeline(p) for p in view_pipelines]

    def transform(self, results: dict) -> Optional[dict]:
        """Run both view pipelines and gather images and boxes.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict | None: The result dict with both views, or None if a view
            pipeline dropped the sample.
        """
        views: List[dict] = []
        for k, pipeline in enumerate(self.pipelines):
            view = pipeline(results.copy())
            if view is None:
                return None
            if 'crop_box' not in view:
                raise KeyError(f'view pipeline {k} set no `crop_box`; put '
                               'RandomResizedCropWithBox in it')
            views.append(view)
        results['img'] = [v['img'] for v in views]
        results['img_shape'] = [v['img'].shape[:2] for v in views]
        boxes = np.stack([v['crop_box'] for v in views])
        results['crop_boxes'] = torch.from_numpy(boxes.astype(np.float32))
        return results

    def __repr__(self) -> str:
        views = ', '.join(repr(p) for p in self.pipelines)
        return f'{self.__class__.__name__}(view_pipelines=[{views}])'
