# Copyright (c) mmpixpro contributors. All rights reserved.
import os
import os.path as osp
import warnings
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from matplotlib.figure import Figure
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model
from PIL import Image
from torch import Tensor, nn

from mmpixpro.datasets.transforms import ImageDecodeError, LoadRGBImageFromFile
from mmpixpro.registry import HOOKS
from mmpixpro.visualization import (cosine_similarity_maps,
                                    figure_to_array, pick_queries,
                                    query_candidates, similarity_figure)

# the original is drawn in a 360 x 320 px panel: decode JPEGs no larger
ORIGINAL_SHORT_SIDE = 320


@HOOKS.register_module()
class PixProVisualizationHook(Hook):
    """Draw what PixPro trains on, every ``interval`` iterations.

    For sample ``sample_index`` of the batch just trained on, one PNG
    ``iter_NNNNNN.png`` with one row per query bin q of view A (bins with a
    positive in view B are preferred):

    * the original image with both crop boxes, the centre of q, and the
      bins of view A that have a positive in view B (normalised distance
      < T, the bins the loss uses) shaded,
    * view A with q outlined,
    * view B with cos(x_q, x'_j) of the online projections x and the
      positive bins of q dashed,
    * view A with the PPM propagation weights s(x_q, x_j) = max(cos, 0)^gamma
      (heads with a ``similarity`` method only, e.g. not PixContrast).

    At 100 dpi the PNG is ``(360 * columns) x (320 * num_queries)`` pixels,
    4 columns (3 without a PPM, one fewer without a readable ``img_path``).

    The features are recomputed for that one sample with the model in eval
    mode (BatchNorm running statistics), then the mode is restored: the
    picture costs two single-image forwards, changes no weight, buffer or
    RNG state, and makes no collective call, so it is safe with SyncBN on
    the main process alone. Models with several levels (FPN) show the first.
    Batches of more than two views (multi-crop, ``PixPro(multi_crop=True)``)
    show the two global views, views 0 and 1, as A and B (their boxes and
    positives); the local views are not drawn.

    PNGs always go to ``out_dir``; the same picture is given to the Runner's
    visualizer (``add_image('pixpro_views', ...)``), so a TensorBoard
    backend receives it (``TensorboardIfInstalled`` in the default
    runtime: TensorBoard wherever the package is installed).

    Models without crop boxes or online projections (BYOL, MoCo, DenseCL)
    get one warning and no picture.

    Args:
        interval (int): Iterations between pictures. Defaults to 50.
        num_queries (int): Rows (query bins of view A). Defaults to 3.
        sample_index (int): Sample of the batch (the last one if the batch
            is smaller). Defaults to 0.
        out_dir (str, optional): Folder of the PNGs. Defaults to
            ``<log_dir>/vis_data/pixpro``.
        seed (int): Seed of the query choice, combined with the iteration;
            the global RNG is not used. Defaults to 0.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 50,
                 num_queries: int = 3,
                 sample_index: int = 0,
                 out_dir: Optional[str] = None,
                 seed: int = 0) -> None:
        if interval < 1 or num_queries < 1 or sample_index < 0:
            raise ValueError('interval and num_queries must be >= 1 and '
                             f'sample_index >= 0, got {interval}, '
                             f'{num_queries} and {sample_index}')
        self.interval = interval
        self.num_queries = num_queries
        self.sample_index = sample_index
        self.out_dir = out_dir
        self.seed = seed
        self._warned = False

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Draw the picture of this iteration when it is due."""
        if not (self.every_n_train_iters(runner, self.interval)
                and is_main_process() and data_batch is not None):
            return
        model = get_ori_model(runner.model)
        if not self._supported(model, runner):
            return
        step = runner.iter + 1  # the Runner counts this iteration after us
        out_dir = self.out_dir or osp.join(runner.log_dir, 'vis_data',
                                           'pixpro')
        # rendered once: the same pixels go to the PNG and the visualizer
        picture = figure_to_array(self.figure(model, data_batch, step))
        os.makedirs(out_dir, exist_ok=True)
        Image.fromarray(picture).save(
            osp.join(out_dir, f'iter_{step:06d}.png'))
        runner.visualizer.add_image('pixpro_views', picture, step=step)

    def _supported(self, model: nn.Module, runner) -> bool:
        """Whether ``model`` is PixPro-like; warn once when it is not."""
        ok = all(
            hasattr(model, name)
            for name in ('project', 'prepare_views', 'data_preprocessor'))
        if not ok and not self._warned:
            self._warned = True
            message = (f'PixProVisualizationHook: {type(model).__name__} '
                       'has no online pixel projections and crop boxes; no '
                       'pictures are drawn')
            warnings.warn(message)
            runner.logger.warning(message)
        return ok

    @torch.no_grad()
    def figure(self, model: nn.Module, data_batch: dict, step: int) -> Figure:
        """The picture of one sample of ``data_batch``.

        Args:
            model (nn.Module): A PixPro-family model (not wrapped).
            data_batch (dict): The batch as the dataloader gives it.
            step (int): Iteration number (seeds the query choice).

        Returns:
            Figure: The matplotlib figure (not saved).
        """
        data = model.data_preprocessor(data_batch, False)
        views, boxes = model.prepare_views(data['inputs'],
                                           data['data_samples'])
        i = min(self.sample_index, len(boxes) - 1)
        # the global views 0 and 1 of V >= 2: (1, 3, H, W) each
        views = [v[i:i + 1] for v in views[:2]]
        feat_a, feat_b = eval_mode_features(model, views)
        size = tuple(feat_a.shape[-2:])
        box = boxes[i, :2].cpu().numpy()  # (2, 4)
        threshold = pos_threshold(model)
        queries = pick_queries(query_candidates(box, size, threshold), size,
                               self.num_queries,
                               np.random.default_rng([self.seed, step]))
        return similarity_figure(
            to_uint8(views[0][0], model.data_preprocessor),
            to_uint8(views[1][0], model.data_preprocessor),
            cosine_similarity_maps(feat_a, feat_b, queries),
            queries,
            size,
            original=read_original(data['data_samples'][i].get('img_path')),
            boxes=box,
            ppm_maps=ppm_weights(model, feat_a, queries),
            threshold=threshold,
            shade_positive_bins=True)


def eval_mode_features(model: nn.Module,
                       views: Sequence[Tensor]) -> List[Tensor]:
    """Online projections x of single views in eval mode (first level).

    The model's mode is restored afterwards; in eval mode BatchNorm reads
    its running statistics and updates nothing.

    Args:
        model (nn.Module): A PixPro-family model.
        views (Sequence[Tensor]): Normalised (1, 3, H, W) views.

    Returns:
        list[Tensor]: One (C, h, w) float32 CPU map per view.
    """
    was_training = model.training
    model.eval()
    try:
        return [model.project(v)[0][0].float().cpu() for v in views]
    finally:
        model.train(was_training)


def pos_threshold(model: nn.Module, default: float = 0.7) -> float:
    """The distance threshold T of the model's loss (``default`` if none)."""
    loss = getattr(model.head, 'loss_module', None)
    return float(getattr(loss, 'pos_threshold', default))


def ppm_weights(model: nn.Module, feat: Tensor,
                queries: Sequence[Tuple[int, int]]) -> Optional[Tensor]:
    """s(x_q, x_j) of each query over its own map, or None without a PPM.

    Args:
        model (nn.Module): The model; ``model.head.similarity`` is used.
        feat (Tensor): (C, h, w) online projection of view A.
        queries (Sequence[tuple[int, int]]): ``(row, col)`` query bins.

    Returns:
        Tensor | None: (Q, h, w) weights.
    """
    similarity = getattr(model.head, 'similarity', None)
    if similarity is None:
        return None
    h, w = feat.shape[-2:]
    sim = similarity(feat[None])  # (1, h*w, h*w)
    rows = [r * w + c for r, c in queries]
    return sim[0, rows].view(len(queries), h, w)


def to_uint8(view: Tensor, preprocessor: nn.Module) -> np.ndarray:
    """Undo the preprocessor's normalisation of one view.

    Args:
        view (Tensor): Normalised view, (3, H, W).
        preprocessor (nn.Module): The model's data preprocessor (``mean``,
            ``std`` and channel conversion are read when present).

    Returns:
        np.ndarray: RGB ``uint8`` image, (H, W, 3).
    """
    mean = getattr(preprocessor, 'mean', torch.zeros(3, 1, 1))
    std = getattr(preprocessor, 'std', torch.ones(3, 1, 1))
    img = view.float() * std.to(view.device) + mean.to(view.device)
    if getattr(preprocessor, '_channel_conversion', False):
        img = img.flip(0)
    return img.round().clamp(0, 255).byte().permute(1, 2, 0).cpu().numpy()


def read_original(path: Optional[str]) -> Optional[np.ndarray]:
    """The original image as the dataset decodes it, or None.

    Decoded like the training pipeline (EXIF orientation applied) so that
    the normalised crop boxes fall on the same places; large JPEGs are
    decoded at a reduced scale (the boxes are scale-free).

    Args:
        path (str, optional): ``img_path`` of the sample.

    Returns:
        np.ndarray | None: RGB ``uint8`` image, or None when ``path`` is
        missing or unreadable.
    """
    if not path or not osp.isfile(path):
        return None
    loader = LoadRGBImageFromFile(min_short_side=ORIGINAL_SHORT_SIDE)
    try:
        return loader(dict(img_path=path))['img']
    except ImageDecodeError:
        return None
