# Runtime of the CPU demos: log every 2 iterations, one checkpoint at the
# end, gloo for multi-process CPU runs, seed 0.
_base_ = ['./default_runtime.py']

default_hooks = dict(
    logger=dict(interval=2),
    checkpoint=dict(interval=12, max_keep_ckpts=1))

env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
