# Copyright (c) mmpixpro contributors. All rights reserved.
"""TensorBoard where it is installed, nothing where it is not."""
import importlib.util
import logging
from typing import Any

from mmengine.logging import print_log
from mmengine.visualization import BaseVisBackend, TensorboardVisBackend

from mmpixpro.registry import VISBACKENDS


class NoVisBackend(BaseVisBackend):
    """A backend that writes nothing."""

    @property
    def experiment(self) -> 'NoVisBackend':
        """The backend itself (there is no writer)."""
        return self

    def _init_env(self) -> None:
        """Nothing to set up."""


@VISBACKENDS.register_module()
def TensorboardIfInstalled(save_dir: str, **kwargs: Any) -> BaseVisBackend:
    """mmengine's ``TensorboardVisBackend`` if the ``tensorboard`` package is
    installed, else a backend that writes nothing (said once in the log).

    The default of mmpixpro configs, so scalars and the pictures of
    ``PixProVisualizationHook`` reach TensorBoard wherever it is there,
    whichever tool builds the Runner. To require TensorBoard, list
    ``dict(type='TensorboardVisBackend')`` instead.

    Args:
        save_dir (str): The visualizer's ``<log_dir>/vis_data``.
        **kwargs: Other arguments of ``TensorboardVisBackend``.

    Returns:
        BaseVisBackend: The backend.
    """
    if importlib.util.find_spec('tensorboard') is None:
        print_log('The tensorboard package is not installed: no TensorBoard '
                  'events are written (pip install tensorboard to get them).',
                  logger='current', level=logging.INFO)
        return NoVisBackend(save_dir)
    return TensorboardVisBackend(save_dir, **kwargs)
