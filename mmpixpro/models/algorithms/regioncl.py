# Copyright (c) mmpixpro contributors. All rights reserved.
"""RegionCL-M: MoCo v2 with region swapping."""
import logging
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmpixpro.registry import MODELS
from ..utils.region_swap import draw_swap_box, swap_regions
from .momentum_baselines import TWO_VIEWS_OF_ONE_SIZE, MomentumMoCo


@MODELS.register_module()
class RegionCLM(MomentumMoCo):
    """RegionCL-M: `RegionCL: Can Simple Region Swapping Contribute to
    Contrastive Learning? <https://arxiv.org/abs/2111.12309>`_ on MoCo v2.

    The query view ``x_q`` (view 0) is encoded whole, ``q``, and swapped
    (:func:`~mmpixpro.models.utils.swap_regions`: a box of 3-5
    cells of 32 px of image i is replaced by the same box of image B-1-i).
    The neck (:class:`~mmpixpro.models.necks.RegionCLNeck`) pools the
    swapped images' canvas and paste regions; all embeddings are
    L2-normalised. For image i, with ``r(i) = B - 1 - i``:

    - ``c_i``: the canvas of swapped image i (image i's own pixels),
    - ``p_i``: the paste region of swapped image r(i) (image i's pixels),

    and ``k_i`` the key of view 1 from the momentum encoder. Three InfoNCE
    terms with temperature T over the queue ``{k_j^-}`` (the authors'
    ``RegionCLM.forward_train``):

    - instance: ``-log e^{q.k/T} / (e^{q.k/T} + sum_j e^{q.k_j^-/T})``
    - canvas: positive ``c_i.k_i``; negatives the queue (inter-image) and
      the paste region of the same swapped image, ``p_{r(i)}`` (intra-image,
      detached),
    - paste: positive ``p_i.k_i``; negatives the queue and the canvas that
      surrounds it, ``c_{r(i)}`` (intra-image, detached).

    ``loss = L_ins + w * (L_canvas + L_paste) / 2`` with ``w`` = 1 (the
    authors average one cross-entropy over the 2B canvas and paste rows).
    The queue is filled with ``k`` as in MoCo.

    The box of the n-th batch is drawn from a generator seeded with
    ``(swap_seed, n)``: ``swap_seed`` is drawn once from torch's RNG when
    the model is built (the run's seed decides it) and ``n`` counts the
    batches; both are buffers, saved in checkpoints, so a resumed run draws
    the boxes of the run it resumes.

    Args:
        swap_cells (tuple[int, int]): fewest and most cells on a side of the
            swap box (both included). Defaults to (3, 5), RegionCL-M's
            (``cutMixLower=3, cutMixUpper=6``, upper excluded).
        cell (int): cell size in px, the backbone's output stride: the box
            is ``cell``-aligned so it covers whole bins of the map. Defaults
            to 32. Views too small for ``swap_cells`` (``cell * cells`` must
            be at most the side minus 1 px) take boxes of as many cells as
            fit, with a warning (e.g. 1 cell at 64 px); views of at most
            ``cell`` px are refused.
        region_weight (float): ``w``. Defaults to 1.0 (``loss_cutmix``).
        args, kwargs: those of :class:`MomentumMoCo` (backbone, neck of
            type ``RegionCLNeck``, head ``ContrastiveHead``, queue_len,
            feat_dim, base_momentum, ...).
    """

    supported_views = TWO_VIEWS_OF_ONE_SIZE

    def __init__(self,
                 *args,
                 swap_cells: Tuple[int, int] = (3, 5),
                 cell: int = 32,
                 region_weight: float = 1.0,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.swap_cells = tuple(swap_cells)
        self.cell = cell
        self.region_weight = region_weight
        self._warned_small = False
        # the box stream: a seed of the run and a count of batches
        self.register_buffer('swap_seed', torch.randint(0, 2**31 - 1, (1, )))
        self.register_buffer('swap_count', torch.zeros(1, dtype=torch.long))

    def swap_generator(self) -> torch.Generator:
        """The generator of the next batch's box; counts the batch."""
        seed = int(self.swap_seed) * 1_000_003 + int(self.swap_count)
        self.swap_count += 1
        return torch.Generator().manual_seed(seed)

    def cells_that_fit(self, height: int, width: int) -> Tuple[int, int]:
        """``swap_cells``, cut to the most cells that fit the views.

        Args:
            height (int): ``H`` of the views, px.
            width (int): ``W`` of the views, px.

        Returns:
            tuple[int, int]: fewest and most cells of the box.
        """
        lower, upper = self.swap_cells
        most = (min(height, width) - 1) // self.cell
        if upper <= most or most < 1:
            return lower, upper  # fits, or draw_swap_box refuses
        if not self._warned_small:
            print_log(
                f'RegionCLM: {height} x {width} views hold swap boxes of at '
                f'most {most} cells of {self.cell} px; boxes of '
                f'{min(lower, most)}-{most} cells instead of {lower}-{upper}',
                logger='current',
                level=logging.WARNING)
            self._warned_small = True
        return min(lower, most), most

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """The three InfoNCE terms of a batch.

        Args:
            inputs (list[Tensor]): views 0 (query) and 1 (key), each
                (B, 3, H, W) with H and W multiples of ``cell``.
            data_samples (list[DataSample]): unused.

        Returns:
            dict[str, Tensor]: ``loss_instance``, ``loss_canvas`` and
            ``loss_paste`` (the last two weighted ``w / 2``).
        """
        im_q, im_k = inputs[0], inputs[1]
        B, _, H, W = im_q.shape
        box = draw_swap_box(H, W, self.cells_that_fit(H, W), self.cell,
                            self.swap_generator())
        im_swap = swap_regions(im_q, box)

        q = F.normalize(self.neck(self.backbone(im_q))[0], dim=1)  # (B, C)
        feat = self.backbone(im_swap)
        if tuple(feat[0].shape[2:]) != (H // self.cell, W // self.cell):
            raise ValueError(
                f'RegionCLM: a {tuple(feat[0].shape[2:])} map of {H} x {W} '
                f'images is not on the {self.cell} px grid of the box')
        canvas, paste = self.neck(feat, box.in_cells(self.cell))
        canvas = F.normalize(canvas, dim=1)  # (B, C), by swapped image
        paste = F.normalize(paste, dim=1)
        r = torch.arange(B - 1, -1, -1, device=q.device)  # r(i) = B - 1 - i
        c, p = canvas, paste[r]  # by source image: c_i, p_i

        with torch.no_grad():
            self.encoder_k.update_parameters(
                nn.Sequential(self.backbone, self.neck))
            im_k, idx_unshuffle = batch_shuffle_ddp(im_k)
            k = F.normalize(self.encoder_k(im_k)[0], dim=1)  # (B, C)
            k = batch_unshuffle_ddp(k, idx_unshuffle)

        queue = self.queue.clone().detach()  # (C, K)

        def pos(a: Tensor) -> Tensor:
            return (a * k).sum(dim=1, keepdim=True)  # (B, 1)

        def intra(a: Tensor, b: Tensor) -> Tensor:
            return (a * b.detach()).sum(dim=1, keepdim=True)  # (B, 1)

        loss_instance = self.head.loss(pos(q), q @ queue)
        loss_canvas = self.head.loss(
            pos(c), torch.cat([intra(c, paste), c @ queue], dim=1))
        loss_paste = self.head.loss(
            pos(p), torch.cat([intra(p, canvas[r]), p @ queue], dim=1))
        self._dequeue_and_enqueue(k)
        half = 0.5 * self.region_weight
        return dict(
            loss_instance=loss_instance,
            loss_canvas=half * loss_canvas,
            loss_paste=half * loss_paste)
