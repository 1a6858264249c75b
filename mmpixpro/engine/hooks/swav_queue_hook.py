# Copyright (c) mmpixpro contributors. All rights reserved.
"""SwAV's queue of embeddings, kept in the training checkpoint."""
from typing import Optional

import torch
from mmengine.device import get_device
from mmengine.dist import all_gather, get_rank, get_world_size
from mmpretrain.engine.hooks import SwAVHook
from mmpretrain.utils import get_ori_model
from torch import Tensor

from mmpixpro.registry import HOOKS

QUEUE_KEY = 'swav_queue'  # checkpoint entry: (W, A, L / W, D)


@HOOKS.register_module()
class SwAVQueueHook(SwAVHook):
    """mmpretrain's ``SwAVHook`` with the queue in the checkpoint.

    `SwAV <https://arxiv.org/abs/2006.09882>`_ (Sec. 3.1 and App. A.1)
    may let Sinkhorn spread the codes over the embeddings z of the current
    batch and of a queue of the last L embeddings of the assigned views
    (views 0 and 1). What this hook keeps from mmpretrain's: the queue
    (``(A, L / W, D)`` per rank, A = ``len(crops_for_assign)``, W ranks, D
    = ``feat_dim``) starts, as zeros, at epoch ``epoch_queue_starts``; the
    loss uses it once it is full; the layers named in
    ``frozen_layers_cfg`` (the prototypes) get no gradient for their first
    iterations (read from ``runner.iter``, so a resumed run freezes them
    again while they are due).

    What differs: mmpretrain's hook saves the queue with ``torch.save`` as
    ``queue.pth`` (``queue{rank}.pth`` when distributed) in the work
    directory after each epoch and loads any such file at the start of a
    run, so a resume from an earlier epoch's checkpoint, a resume into
    another work directory or a fresh start over an old work directory
    gets a wrong queue. This hook never reads or writes those files:

    * **save**: the queue is the checkpoint entry ``swav_queue``, a
      ``(W, A, L / W, D)`` float tensor, rank r's queue at index r
      (``W = 1`` without distribution), written with the checkpoint the
      Runner writes (``before_save_checkpoint``). The checkpoint is written
      by rank 0 alone, so with W > 1 every rank gathers the W queues after
      each training iteration (``W x A x L / W x D`` floats, 3.9 MB a step
      for the R50 recipe's 3840 x 128 x 2); a checkpoint saved before the
      queue starts has no entry.
    * **resume** (``after_load_checkpoint``, when the Runner resumes): rank
      r takes entry r, on its device; the queue then continues exactly
      (the loss switches to it from the first iteration when it is full).
      A checkpoint without the entry, or whose shape does not fit (another
      W, L or D), leaves the queue empty; it starts as zeros at
      ``epoch_queue_starts``, with a warning in the second case. Loading
      weights only (``load_from`` without ``resume``) starts a new run and
      an empty queue.
    * **fresh start**: an empty queue (none until ``epoch_queue_starts``),
      whatever files the work directory holds.

    Args:
        batch_size (int): The batch per GPU.
        epoch_queue_starts (int, optional): The epoch from which the queue
            is used. Defaults to 15.
        crops_for_assign (list[int], optional): The assigned views.
            Defaults to [0, 1].
        feat_dim (int, optional): D, the embedding dimension. Defaults to
            128.
        queue_length (int, optional): L, summed over the ranks (0: no
            queue); cut to a multiple of the total batch. Defaults to 0.
        interval (int, optional): Unused (mmpretrain's epochs between
            queue files): the queue goes with every checkpoint. Defaults
            to 1.
        frozen_layers_cfg (dict, optional): Layer name -> the iterations
            for which it is frozen. Defaults to ``dict()``.
    """

    priority = 'VERY_HIGH'  # as mmpretrain's configs ask for SwAVHook
    _gathered: Optional[Tensor] = None  # (W, A, L / W, D), W > 1 only

    def before_run(self, runner) -> None:
        """Cut L to a multiple of the batch; read no queue file."""
        self.queue_length -= self.queue_length % self.batch_size

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """With W > 1 ranks, gather the W queues for rank 0's save."""
        queue = self._loss_module(runner).queue
        if get_world_size() > 1 and queue is not None:
            self._gathered = torch.stack(all_gather(queue)).cpu()

    def after_train_epoch(self, runner) -> None:
        """Follow the loss's queue; write no file."""
        self.queue = self._loss_module(runner).queue

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the queue of every rank as ``checkpoint['swav_queue']``."""
        queue = self._loss_module(runner).queue
        if queue is None:
            return
        if get_world_size() > 1:
            if self._gathered is None:
                raise RuntimeError(
                    'SwAVQueueHook: a checkpoint saved before the queues of '
                    'the ranks were gathered (after a training iteration)')
            checkpoint[QUEUE_KEY] = self._gathered
        else:
            checkpoint[QUEUE_KEY] = queue.detach().cpu()[None]

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """On resume, take this rank's queue from the checkpoint."""
        if not getattr(runner, '_resume', False):
            return  # weights only: a new run, an empty queue
        saved = checkpoint.get(QUEUE_KEY)
        if saved is None:
            return
        world_size = get_world_size()
        expected = (world_size, len(self.crops_for_assign),
                    self.queue_length // world_size, self.feat_dim)
        if tuple(saved.shape) != expected:
            runner.logger.warning(
                f'SwAVQueueHook: the checkpoint\'s {QUEUE_KEY} has shape '
                f'{tuple(saved.shape)} (ranks, assigned views, length per '
                f'rank, dim), this run needs {expected}; the queue starts '
                f'empty at epoch {self.epoch_queue_starts}')
            return
        self.queue = saved[get_rank()].to(get_device()).clone()
        self._loss_module(runner).queue = self.queue
        runner.logger.info(
            f'SwAVQueueHook: queue {tuple(self.queue.shape)} restored from '
            'the checkpoint')

    @staticmethod
    def _loss_module(runner):
        """The ``SwAVLoss`` of the Runner's model."""
        return get_ori_model(runner.model).head.loss_module
