# Copyright (c) mmpixpro contributors. All rights reserved.
"""Speed benchmarks, side by side in one process (``tools/analysis_tools/
benchmark.py`` is their command line):

* train steps (:mod:`.step_timing`): a synthetic two-view batch, timed
  rounds that interleave the models, the counted FLOPs of a step; the steps
  of config-built models (:mod:`.config_step`, mmpretrain's too) and the
  bare-PyTorch limit (:mod:`.bare_step`);
* the data pipeline (:mod:`.data_timing`): ours as configured against the
  torchvision/PIL reference (:mod:`.torchvision_views`);
* the machine (:mod:`.machine`): CPU, vector units, threads, GPU and a
  matmul yardstick, so that figures of different machines can be read.
"""
from .bare_step import BarePixProStep
from .config_step import build_from_config, load_config, model_step
from .data_timing import (PIPELINES, build_loader, image_files,
                          time_dataloader)
from .device import allocated, synchronize
from .machine import CPU_FLAGS, machine_info, matmul_gflops
from .step_timing import (StepResult, gflop_per_image, synthetic_batch,
                          time_rounds, time_steps)
from .table import format_table
from .torchvision_views import (PILGaussianBlur, TorchvisionTwoViews,
                                torchvision_view)

__all__ = [
    'BarePixProStep', 'build_from_config', 'load_config', 'model_step',
    'PIPELINES', 'build_loader', 'image_files', 'time_dataloader',
    'allocated', 'synchronize', 'CPU_FLAGS', 'machine_info', 'matmul_gflops',
    'StepResult', 'gflop_per_image', 'synthetic_batch', 'time_rounds',
    'time_steps', 'format_table', 'PILGaussianBlur', 'TorchvisionTwoViews',
    'torchvision_view'
]
