# Copyright (c) mmpixpro contributors. All rights reserved.
import inspect
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose

from mmpixpro.registry import TRANSFORMS
from .random_resized_crop import VIEW_CROPS_KEY, RandomResizedCropWithBox

ViewPipeline = Sequence[Union[dict, Callable]]


def build_view_pipeline(pipeline: ViewPipeline) -> Compose:
    """Build one per-view pipeline through mmpixpro's TRANSFORMS.

    Args:
        pipeline (Sequence[dict | Callable]): Transform configs or objects.

    Returns:
        mmcv.transforms.Compose: The composed pipeline.
    """
    return Compose(
        [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])


def crop_size(transform: Union[dict, Callable]) -> Optional[Tuple[int, int]]:
    """Output ``(h, w)`` of a :class:`RandomResizedCropWithBox`, built or
    as a config, without building it; None for any other transform.

    Args:
        transform (dict | Callable): A transform or its config.

    Returns:
        tuple[int, int] | None: The crop's output size.
    """
    if isinstance(transform, RandomResizedCropWithBox):
        return transform.size
    type_ = transform.get('type') if isinstance(transform, dict) else None
    cls = TRANSFORMS.get(type_) if isinstance(type_, str) else None
    if not (inspect.isclass(cls)
            and issubclass(cls, RandomResizedCropWithBox)):
        return None
    default = inspect.signature(cls).parameters['size'].default
    size = transform.get('size', default)
    return (size, size) if isinstance(size, int) else tuple(size)


def view_sizes(view_pipelines: Sequence[ViewPipeline],
               num_views: Optional[Sequence[int]] = None
               ) -> List[Optional[Tuple[int, int]]]:
    """The ``(h, w)`` of every view a multi-view config makes, unbuilt.

    Each view's size is that of the last crop in its pipeline
    (:func:`crop_size`); None where a pipeline has none.

    Args:
        view_pipelines (Sequence[Sequence[dict | Callable]]): One pipeline
            per group.
        num_views (Sequence[int], optional): Views per group. Defaults to
            None (one each).

    Returns:
        list[tuple[int, int] | None]: One size per view, in view order.
    """
    num_views = [1] * len(view_pipelines) if num_views is None else num_views
    sizes = []
    for pipeline, count in zip(view_pipelines, num_views):
        crops = [crop_size(t) for t in pipeline]
        crops = [c for c in crops if c is not None]
        sizes += [crops[-1] if crops else None] * count
    return sizes


@TRANSFORMS.register_module()
class MultiViewTransform(BaseTransform):
    """Make N augmented views of one image in groups, each with its box.

    Group ``g`` has its own per-view pipeline, run ``num_views[g]`` times
    (e.g. 2 global views at 224 px and 6 local views at 96 px, as SwAV's
    multi-crop). Each run works on a shallow copy of the input results and
    must set ``crop_box`` (e.g. through :class:`RandomResizedCropWithBox`);
    a flip after the crop is in the box (x ends swapped). The views are
    made and returned in group order, so every random draw comes from the
    global ``numpy.random`` stream in a fixed order: the dataset's
    per-sample seed (``(seed, epoch, index)``) decides all N views.

    A crop may be constrained by an earlier view (``ref_view`` of
    :class:`RandomResizedCropWithBox`): each run sees the crops ``(i, j,
    h, w)`` of the views made before it in ``results['view_crops']``. A
    ``ref_view`` must name a view of an earlier group (checked here).

    Required keys: ``img``. Modified keys: ``img`` (list of the N views,
    (h, w, 3) ``uint8`` each), ``img_shape`` (list of their (h, w)).
    Added keys: ``crop_boxes`` (``torch.float32``, (N, 4), one
    ``(x_ul, y_ul, x_lr, y_lr)`` row per view), ``crop_fallbacks`` (int:
    how many of the views' crops fell back to the centre crop; pack it
    with ``PackInputs(meta_keys=[..., 'crop_fallbacks'])`` to log it).

    Args:
        view_pipelines (Sequence[Sequence[dict | Callable]]): One per-view
            pipeline per group.
        num_views (Sequence[int], optional): Views of each group, >= 1.
            Defaults to None (one view per pipeline).
    """

    def __init__(self,
                 view_pipelines: Sequence[ViewPipeline],
                 num_views: Optional[Sequence[int]] = None) -> None:
        if num_views is None:
            num_views = [1] * len(view_pipelines)
        if len(num_views) != len(view_pipelines) or not view_pipelines:
            raise ValueError(
                f'need one num_views entry per view pipeline, got '
                f'{len(num_views)} for {len(view_pipelines)} pipeline(s)')
        if any(not isinstance(n, int) or n < 1 for n in num_views):
            raise ValueError(f'num_views must be ints >= 1, got {num_views}')
        self.pipelines = [build_view_pipeline(p) for p in view_pipelines]
        self.num_views = list(num_views)
        self.check_references()

    def check_references(self) -> None:
        """Refuse a ``ref_view`` that is not a view of an earlier group."""
        first = 0  # index of the group's first view
        for g, (pipeline, count) in enumerate(
                zip(self.pipelines, self.num_views)):
            for t in pipeline.transforms:
                ref = getattr(t, 'ref_view', None)
                if ref is not None and not 0 <= ref < first:
                    raise ValueError(
                        f'view pipeline {g} (views {first}..'
                        f'{first + count - 1}) has ref_view={ref}; it must '
                        f'be a view of an earlier group, in [0, {first})')
            first += count

    def transform(self, results: dict) -> Optional[dict]:
        """Run every group's pipeline and gather images and boxes.

        Args:
            results (dict): Result dict with ``img``.

        Returns:
            dict | None: The result dict with the N views, or None if a view
            pipeline dropped the sample.
        """
        views: List[dict] = []
        crops: List[tuple] = []
        for g, (pipeline, count) in enumerate(
                zip(self.pipelines, self.num_views)):
            for _ in range(count):
                view = pipeline({**results, VIEW_CROPS_KEY: tuple(crops)})
                if view is None:
                    return None
                if 'crop_box' not in view:
                    raise KeyError(f'view pipeline {g} set no `crop_box` '
                                   f'(view {len(views)}); put '
                                   'RandomResizedCropWithBox in it')
                views.append(view)
                crops.append(view.get('crop_region'))
        results['img'] = [v['img'] for v in views]
        results['img_shape'] = [v['img'].shape[:2] for v in views]
        boxes = np.stack([v['crop_box'] for v in views])
        results['crop_boxes'] = torch.from_numpy(boxes.astype(np.float32))
        results['crop_fallbacks'] = sum(
            bool(v.get('crop_fallback', False)) for v in views)
        return results

    @classmethod
    def view_sizes_of(cls, cfg: dict) -> List[Optional[Tuple[int, int]]]:
        """The ``(h, w)`` of every view this transform's config makes,
        without building it (for the config check).

        Args:
            cfg (dict): A config of this transform.

        Returns:
            list[tuple[int, int] | None]: See :func:`view_sizes`.
        """
        return view_sizes(cfg['view_pipelines'], cfg.get('num_views'))

    def __repr__(self) -> str:
        views = ', '.join(repr(p) for p in self.pipelines)
        return (f'{self.__class__.__name__}(view_pipelines=[{views}], '
                f'num_views={self.num_views})')
