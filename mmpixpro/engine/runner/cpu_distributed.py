# Copyright (c) mmpixpro contributors. All rights reserved.
"""``--launcher pytorch`` on machines without CUDA."""
from typing import Optional

import torch
import torch.distributed as dist


class CPUDistributedMixin:
    """A gloo process group and DDP without ``device_ids`` on CPU.

    mmengine's ``init_dist`` needs CUDA; :meth:`setup_env` creates a gloo
    group from the variables torchrun sets, and :meth:`wrap_model` builds
    DDP without ``device_ids`` (CPU modules take none).
    """

    def setup_env(self, env_cfg: dict) -> None:
        """Create a gloo process group for CPU runs, then mmengine's setup."""
        if (self.distributed and not torch.cuda.is_available()
                and not dist.is_initialized()):
            dist.init_process_group(backend='gloo')  # env:// from torchrun
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: Optional[dict], model):
        """DDP without ``device_ids`` when distributed on CPU."""
        if (self.distributed and model_wrapper_cfg is None
                and not torch.cuda.is_available()):
            model_wrapper_cfg = dict(
                type='MMDistributedDataParallel',
                device_ids=None,  # CPU modules take no device ids
                broadcast_buffers=False,
                find_unused_parameters=self.cfg.get(
                    'find_unused_parameters', False))
        return super().wrap_model(model_wrapper_cfg, model)
