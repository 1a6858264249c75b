# Copyright (c) mmpixpro contributors. All rights reserved.
"""Reading probe results: an in-memory split for repeated probes, a table of
the probes of one run, and the one-line verdict "did pretraining beat its
own random init at this budget"."""
from typing import Dict, List, Optional, Sequence

from .dense_dataset import DenseSegDataset

# Linear / kNN mIoU (in points) two probes of the same features may differ
# by from the probe's seed alone; measured on data/dense (see
# docs/en/dense_evaluation.md). Differences below it are not called.
PROBE_NOISE = 1.0


class InMemorySplit(list):
    """``(image, label)`` pairs read once, with ``classes``/``num_classes``.

    Args:
        dataset (DenseSegDataset): The split to read.
        limit (int, optional): Keep the first ``limit`` pairs only.
    """

    def __init__(self, dataset: DenseSegDataset,
                 limit: Optional[int] = None) -> None:
        count = len(dataset) if limit is None else min(limit, len(dataset))
        super().__init__(dataset[i] for i in range(count))
        self.classes = tuple(dataset.classes)

    @property
    def num_classes(self) -> int:
        """Number of classes K."""
        return len(self.classes)


def load_probe_data(root: str,
                    layout: str = 'voc',
                    splits: Sequence[str] = ('train', 'test'),
                    img_size: Optional[int] = 256,
                    limits: Sequence[Optional[int]] = (None, None)
                    ) -> Dict[str, InMemorySplit]:
    """The ``{'train': ..., 'test': ...}`` mapping of :func:`run_dense_probe`.

    Args:
        root (str): Dataset folder (e.g. ``data/dense``).
        layout (str): ``'voc'`` or ``'cityscapes'``.
        splits (Sequence[str]): Names of the train and test splits.
        img_size (int, optional): Square side of the pairs.
        limits (Sequence[int | None]): Pairs kept per split.

    Returns:
        dict: Two :class:`InMemorySplit`.
    """
    return {
        key: InMemorySplit(DenseSegDataset(root, split, layout, img_size),
                           limit)
        for key, split, limit in zip(('train', 'test'), splits, limits)
    }


def format_probe_row(result: dict) -> str:
    """``linear mIoU 9.8 (acc 60.3, object IoU 30.1) | kNN mIoU ...``."""
    return ' | '.join(
        f'{name} mIoU {100 * result[prefix + "mIoU"]:.1f} '
        f'(acc {100 * result[prefix + "pixel_acc"]:.1f}, object IoU '
        f'{100 * result[prefix + "object_IoU"]:.1f})'
        for name, prefix in (('linear', ''), ('kNN', 'knn_')))


def verdict(initial: dict, final: dict, noise: float = PROBE_NOISE) -> str:
    """One line on what the final probe says against the initial one.

    Args:
        initial (dict): Probe of the run's initial (random) weights.
        final (dict): Probe of the trained weights.
        noise (float): Differences (mIoU points) not called either way.

    Returns:
        str: The verdict, naming both differences.
    """
    deltas = [100 * (final[k] - initial[k]) for k in ('mIoU', 'knn_mIoU')]
    text = (f'linear {deltas[0]:+.1f}, kNN {deltas[1]:+.1f} mIoU points '
            f'vs random init')
    if all(d > noise for d in deltas):
        return (f'{text}: pretraining beat its random init on both readouts '
                'at this budget.')
    if all(d < -noise for d in deltas):
        return (f'{text}: pretraining is behind its random init at this '
                'budget (random conv features keep exact local structure; '
                'see docs/en/dense_evaluation.md).')
    return (f'{text}: not distinguishable from random init at this budget '
            f'(differences within ~{noise:.0f} point of probe noise or of '
            'mixed sign); expected for minutes of CPU pretraining, see '
            'docs/en/dense_evaluation.md.')


def probe_summary(records: List[dict]) -> List[str]:
    """Lines of a run's probe history: one per probe, then the verdict.

    Args:
        records (list[dict]): Probe results with ``iter`` (0 = initial
            weights), in order.

    Returns:
        list[str]: Printable lines.
    """
    lines = [
        f'  iter {r["iter"]:>6}{" (random init)" if r["iter"] == 0 else ""}'
        f': {format_probe_row(r)}' for r in records
    ]
    if len(records) > 1 and records[0]['iter'] == 0:
        lines.append('  ' + verdict(records[0], records[-1]))
    return lines
