# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Optional

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmpixpro.registry import TRANSFORMS


def import_slic():
    """skimage's ``slic``, imported on first use (an optional dependency).

    Returns:
        Callable: ``skimage.segmentation.slic``.

    Raises:
        ImportError: Naming the package to install.
    """
    try:
        from skimage.segmentation import slic
    except ImportError as err:  # pragma: no cover - depends on the host
        raise ImportError(
            'SLICSuperpixels needs scikit-image (the `skimage` package): '
            '`pip install scikit-image` (R2O computes its superpixels with '
            'it in the data loader).') from err
    return slic


@TRANSFORMS.register_module()
class SLICSuperpixels(BaseTransform):
    """SLIC superpixels of one view, computed in the data loader (R2O).

    `R2O <https://arxiv.org/abs/2208.11821>`_ groups the full-image view
    (:class:`FullImageWithBox`, 224 x 224) into about ``n_segments = 100``
    SLIC superpixels (skimage, ``start_label=0``, default compactness 10,
    in CIELAB). Runs after :class:`MultiViewTransform` on
    ``results['img'][view]``.

    ``downsample`` (our option; 1 = the authors'): SLIC runs on the view
    shrunk by this factor (area-averaged) and the label map is enlarged
    back by nearest neighbour, for a loader that SLIC would slow down too
    much (SLIC's cost grows with the pixels; the masks are used at 56 x 56
    and the features at 14 x 14).

    Deviation: the authors run SLIC on the ImageNet-normalised tensor (so
    skimage's Lab conversion sees values outside [0, 1]); here it runs on
    the RGB image in [0, 1], as SLIC expects.

    Required keys: ``img`` (a list of views). Added keys: ``superpixels``
    (``torch.int16``, (h, w), labels in ``[0, S)``, S about
    ``n_segments``).

    Args:
        view (int): Index of the view to segment. Defaults to 2 (R2O's
            third view).
        n_segments (int): About how many superpixels. Defaults to 100.
        compactness (float): SLIC's colour/space balance. Defaults to 10.
        downsample (int): Shrink factor before SLIC. Defaults to 1.
    """

    def __init__(self,
                 view: int = 2,
                 n_segments: int = 100,
                 compactness: float = 10.0,
                 downsample: int = 1) -> None:
        if downsample < 1:
            raise ValueError(f'downsample must be >= 1, got {downsample}')
        self.view = view
        self.n_segments = n_segments
        self.compactness = compactness
        self.downsample = int(downsample)
        self._slic: Optional[object] = None

    def segment(self, img: np.ndarray) -> np.ndarray:
        """SLIC labels of one RGB image.

        Args:
            img (np.ndarray): (h, w, 3) ``uint8`` RGB.

        Returns:
            np.ndarray: Labels (h, w), ``int16``, from 0.
        """
        if self._slic is None:
            self._slic = import_slic()
        h, w = img.shape[:2]
        small = img
        if self.downsample > 1:
            import cv2
            small = cv2.resize(
                img, (max(1, w // self.downsample),
                      max(1, h // self.downsample)),
                interpolation=cv2.INTER_AREA)
        labels = self._slic(
            small.astype(np.float32) / 255.,
            n_segments=self.n_segments,
            compactness=self.compactness,
            start_label=0,
            channel_axis=-1)
        if self.downsample > 1:
            rows = np.minimum(
                (np.arange(h) * small.shape[0]) // h, small.shape[0] - 1)
            cols = np.minimum(
                (np.arange(w) * small.shape[1]) // w, small.shape[1] - 1)
            labels = labels[rows[:, None], cols[None, :]]
        # labels consecutive from 0 (SLIC may skip numbers)
        _, labels = np.unique(labels, return_inverse=True)
        return labels.reshape(h, w).astype(np.int16)

    def transform(self, results: dict) -> dict:
        """Add ``superpixels`` of view ``view``.

        Args:
            results (dict): With ``img``, the list of views.

        Returns:
            dict: With ``superpixels``, (h, w) ``torch.int16``.
        """
        img = results['img'][self.view]
        results['superpixels'] = torch.from_numpy(self.segment(img))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(view={self.view}, '
                f'n_segments={self.n_segments}, '
                f'compactness={self.compactness}, '
                f'downsample={self.downsample})')
