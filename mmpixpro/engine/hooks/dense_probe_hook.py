# Copyright (c) mmpixpro contributors. All rights reserved.
import json
import os.path as osp
from typing import Optional, Sequence

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmpretrain.utils import get_ori_model

from mmpixpro.evaluation import DenseProbeConfig, run_dense_probe
from mmpixpro.evaluation.probe_report import (format_probe_row,
                                              load_probe_data, probe_summary)
from mmpixpro.registry import HOOKS

LOGGED_KEYS = ('mIoU', 'pixel_acc', 'object_IoU', 'knn_mIoU',
               'knn_pixel_acc', 'knn_object_IoU')


@HOOKS.register_module()
class DenseProbeHook(Hook):
    """Score the online backbone's frozen dense features during training.

    Every ``interval`` epochs (or iterations, ``by_epoch=False``), at the
    end of training and, with ``before_train``, on the initial weights
    (the run's own random init, logged at iteration 0), runs
    :func:`run_dense_probe` -- BN + 1x1 linear probe and nearest-neighbour
    readout on a labelled set such as ``data/dense``
    (``tools/dataset_converters/build_dense_set.py``) -- and logs
    ``probe/mIoU``, ``probe/pixel_acc``, ``probe/object_IoU`` and their
    ``probe/knn_*`` counterparts beside the loss (``scalars.json``, drawn by
    ``tools/analysis_tools/plot_curves.py``). Results are also appended to
    ``<log_dir>/dense_probe.json``; after training a summary with the
    verdict against iteration 0 goes to the log and to
    ``<work_dir>/dense_probe_summary.txt``.

    The probe runs on the main process only (no collective calls) and
    leaves the model's mode and the global RNG as they were. Its cost (one
    forward of every probe image, then the probe's epochs on the stored
    features) is measured in ``docs/en/dense_evaluation.md``.

    Args:
        data_root (str): Labelled set (VOC layout by default).
        interval (int): Probe every ``interval`` epochs / iterations.
            Defaults to 1.
        by_epoch (bool): Count ``interval`` in epochs. Defaults to True.
        before_train (bool): Also probe the initial weights. Defaults to
            True.
        layout (str): ``'voc'`` or ``'cityscapes'``. Defaults to ``'voc'``.
        splits (Sequence[str]): Train and test split names.
        img_size (int): Square side of the probe images. Defaults to 256.
        max_images (Sequence[int | None]): Pairs kept per split (None: all).
        probe_cfg (dict, optional): :class:`DenseProbeConfig` fields
            (``stage``, ``epochs``, ``balance``, ...).
        on_missing (str): A missing ``data_root``: ``'error'`` stops the run
            before the first iteration, naming it; ``'warn'`` logs a warning
            naming it and trains without probing. Defaults to ``'error'``.
    """

    priority = 'LOW'

    def __init__(self,
                 data_root: str = 'data/dense',
                 interval: int = 1,
                 by_epoch: bool = True,
                 before_train: bool = True,
                 layout: str = 'voc',
                 splits: Sequence[str] = ('train', 'test'),
                 img_size: int = 256,
                 max_images: Sequence[Optional[int]] = (None, None),
                 probe_cfg: Optional[dict] = None,
                 on_missing: str = 'error') -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        if on_missing not in ('error', 'warn'):
            raise ValueError(f"on_missing must be 'error' or 'warn', got "
                             f'{on_missing!r}')
        self.on_missing = on_missing
        self.data_root = data_root
        self.interval = interval
        self.by_epoch = by_epoch
        self.probe_before_train = before_train
        self.data_args = dict(layout=layout, splits=tuple(splits),
                              img_size=img_size, limits=tuple(max_images))
        # validated now: a wrong key fails when the config is built
        self.probe_cfg = DenseProbeConfig.from_any(probe_cfg)
        self.data = None
        self.records = []

    def before_train(self, runner) -> None:
        """Load the labelled set; probe the initial weights."""
        if not osp.isdir(self.data_root):
            message = (
                f'DenseProbeHook: data_root {self.data_root!r} not found; '
                'build it with tools/dataset_converters/build_dense_set.py '
                '--out data/dense or remove the hook from custom_hooks')
            if self.on_missing == 'error':
                raise FileNotFoundError(message)
            runner.logger.warning(message + '; training without the probe')
            return
        if not is_main_process():
            return
        self.data = load_probe_data(self.data_root, **self.data_args)
        if self.probe_before_train and runner.iter == 0:
            self._probe(runner, 0)

    def after_train_epoch(self, runner) -> None:
        """Probe every ``interval`` epochs and after the last one."""
        if self.by_epoch and (self.every_n_epochs(runner, self.interval)
                              or self.is_last_train_epoch(runner)):
            self._probe(runner, runner.iter)

    def after_train_iter(self, runner, batch_idx: int,
                         data_batch=None, outputs=None) -> None:
        """Probe every ``interval`` iterations and after the last one."""
        if not self.by_epoch and (
                self.every_n_train_iters(runner, self.interval)
                or self.is_last_train_iter(runner)):
            # the Runner counts this iteration only after the hooks
            self._probe(runner, runner.iter + 1)

    def after_train(self, runner) -> None:
        """Log the run's probe history and the verdict."""
        if not (is_main_process() and self.records):
            return
        lines = ['dense probe ' + self.probe_cfg.stage + ' of '
                 f'{self.data_root}:'] + probe_summary(self.records)
        runner.logger.info('\n'.join(lines))
        with open(osp.join(runner.work_dir, 'dense_probe_summary.txt'),
                  'w') as f:
            f.write('\n'.join(lines) + '\n')

    def _probe(self, runner, step: int) -> None:
        """Probe the online backbone after ``step`` completed iterations."""
        if not is_main_process() or self.data is None:
            return
        if self.records and self.records[-1]['iter'] == step:
            return  # e.g. interval and last epoch on the same iteration
        model = get_ori_model(runner.model)
        result = run_dense_probe(model, self.data, self.probe_cfg)
        record = dict(iter=step, epoch=runner.epoch,
                      **{k: result[k] for k in LOGGED_KEYS},
                      IoU=result['IoU'], knn_IoU=result['knn_IoU'],
                      seconds=sum(result['seconds'].values()))
        self.records.append(record)
        runner.visualizer.add_scalars(
            {f'probe/{k}': result[k] for k in LOGGED_KEYS}, step=step)
        runner.logger.info(f'dense probe at iter {step}: '
                           f'{format_probe_row(result)} '
                           f'({record["seconds"]:.0f} s)')
        with open(osp.join(runner.log_dir, 'dense_probe.json'), 'w') as f:
            json.dump(self.records, f, indent=1)
