# Copyright (c) mmpixpro contributors. All rights reserved.
import os.path as osp
import warnings
from typing import List, Optional, Tuple

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from PIL import Image
from torch import Tensor, nn

from mmpixpro.registry import HOOKS
from mmpixpro.visualization import (cosine_similarity_maps, pick_queries,
                                    query_candidates, save_png,
                                    similarity_figure)


@HOOKS.register_module()
class PixProVisualizationHook(Hook):
    """Draw what PixPro trains on, every ``interval`` iterations.

    For one sample of the current batch the picture has one row per query
    bin q of view A (bins with a positive in view B are preferred):

    * the original image with both crop boxes and the centre of q,
    * view A with q outlined,
    * view B with cos(x_q, x'_j) of the online projections and the positive
      bins of q (normalised distance < T) dashed,
    * view A with the PPM propagation weights s(x_q, x_j) (PixPro's head
      only; left out for heads without ``similarity``).

    The features are those the training step sees: the whole batch goes
    through the online network in train mode, and the BatchNorm running
    statistics are put back afterwards, so training is unchanged. PNGs are
    written always, to ``<log_dir>/vis_data/pixpro/iter_NNNNNN.png``; the
    picture is also given to the Runner's visualizer (``add_image``), so a
    TensorBoard backend receives it when configured::

        visualizer = dict(type='Visualizer', vis_backends=[
            dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')])

    Models without crop boxes or online projections (BYOL, MoCo, DenseCL)
    get one warning and no picture.

    Args:
        interval (int): Iterations between pictures. Defaults to 50.
        num_queries (int): Rows (query bins). Defaults to 3.
        sample_index (int): Sample of the batch. Defaults to 0.
        out_dir (str, optional): Folder of the PNGs; defaults to
            ``<log_dir>/vis_data/pixpro``.
        seed (int): Seed of the query choice (with the iteration).
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 50,
                 num_queries: int = 3,
                 sample_index: int = 0,
                 out_dir: Optional[str] = None,
                 seed: int = 0) -> None:
        if interval < 1 or num_queries < 1:
            raise ValueError('interval and num_queries must be >= 1, got '
                             f'{interval} and {num_queries}')
        self.interval = interval
        self.num_queries = num_queries
        self.sample_index = sample_index
        self.out_dir = out_dir
        self.seed = seed
        self._warned = False

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Draw the picture of this iteration when it is due."""
        if not (self.every_n_train_iters(runner, self.interval)
                and is_main_process() and data_batch is not None):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not self._supported(model, runner):
            return
        step = runner.iter + 1  # the Runner counts it after the hooks
        fig = self.figure(model, data_batch, step)
        out_dir = self.out_dir or osp.join(runner.log_dir, 'vis_data',
                                           'pixpro')
        path = save_png(fig, osp.join(out_dir, f'iter_{step:06d}.png'))
        with Image.open(path) as img:
            runner.visualizer.add_image('pixpro_views',
                                        np.asarray(img.convert('RGB')),
                                        step=step)

    def _supported(self, model: nn.Module, runner) -> bool:
        """PixPro-family model; warn once otherwise."""
        ok = all(hasattr(model, name) for name in
                 ('project', 'prepare_views', 'data_preprocessor'))
        if not ok and not self._warned:
            self._warned = True
            message = (f'PixProVisualizationHook: {type(model).__name__} '
                       'has no online pixel projections and crop boxes; no '
                       'pictures are drawn')
            warnings.warn(message)
            runner.logger.warning(message)
        return ok

    @torch.no_grad()
    def figure(self, model: nn.Module, data_batch: dict, step: int):
        """The matplotlib Figure of one sample of ``data_batch``."""
        data = model.data_preprocessor(data_batch, False)
        views, boxes = model.prepare_views(data['inputs'],
                                           data['data_samples'])
        feats = train_mode_features(model, views)
        i = min(self.sample_index, len(boxes) - 1)
        feat_a, feat_b = feats[0][i], feats[1][i]
        size = tuple(feat_a.shape[-2:])
        box = boxes[i].cpu().numpy()
        rng = np.random.default_rng([self.seed, step])
        threshold = float(getattr(getattr(model.head, 'loss_module', None),
                                  'pos_threshold', 0.7))
        queries = pick_queries(query_candidates(box, size, threshold), size,
                               self.num_queries, rng)
        sample = data['data_samples'][i]
        return similarity_figure(
            to_uint8(views[0][i], model.data_preprocessor),
            to_uint8(views[1][i], model.data_preprocessor),
            cosine_similarity_maps(feat_a, feat_b, queries), queries, size,
            original=read_original(sample.get('img_path')),
            boxes=box, ppm_maps=ppm_weights(model, feat_a, queries),
            threshold=threshold)


def train_mode_features(model: nn.Module,
                        views: List[Tensor]) -> Tuple[Tensor, Tensor]:
    """Online projections x of both views (first level), as in training.

    BatchNorm running statistics are restored afterwards.

    Args:
        model (nn.Module): A PixPro-family model.
        views (list[Tensor]): Two normalised (N, 3, H, W) batches.

    Returns:
        tuple[Tensor, Tensor]: (N, C, h, w) maps of views A and B, float32.
    """
    buffers = {name: buf.clone() for name, buf in model.named_buffers()}
    try:
        return tuple(model.project(v)[0].float().cpu() for v in views)
    finally:
        own = dict(model.named_buffers())
        for name, saved in buffers.items():
            own[name].copy_(saved)


def ppm_weights(model: nn.Module, feat: Tensor,
                queries) -> Optional[Tensor]:
    """s(x_q, x_j) of each query over its own map, or None without a PPM.

    Args:
        model (nn.Module): The model; ``model.head.similarity`` is used.
        feat (Tensor): (C, h, w) online projection of view A.
        queries (list[tuple[int, int]]): Query bins.

    Returns:
        Tensor | None: (Q, h, w) weights.
    """
    similarity = getattr(model.head, 'similarity', None)
    if similarity is None:
        return None
    h, w = feat.shape[-2:]
    sim = similarity(feat[None].to(next(model.head.parameters()).device))
    rows = [r * w + c for r, c in queries]
    return sim[0, rows].view(len(queries), h, w).float().cpu()


def to_uint8(view: Tensor, preprocessor: nn.Module) -> np.ndarray:
    """Undo the preprocessor's normalisation: (3, H, W) -> (H, W, 3)."""
    mean = getattr(preprocessor, 'mean', torch.zeros(3, 1, 1))
    std = getattr(preprocessor, 'std', torch.ones(3, 1, 1))
    img = view.float() * std.to(view.device) + mean.to(view.device)
    if getattr(preprocessor, '_channel_conversion', False):
        img = img.flip(0)
    return img.clamp(0, 255).byte().permute(1, 2, 0).cpu().numpy()


def read_original(path: Optional[str]) -> Optional[np.ndarray]:
    """The original RGB image, or None when it cannot be read."""
    if not path or not osp.isfile(path):
        return None
    try:
        with Image.open(path) as img:
            return np.asarray(img.convert('RGB'))
    except OSError:
        return None
