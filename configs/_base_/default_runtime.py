# Runtime shared by every mmpixpro config.
default_scope = 'mmpixpro'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # checkpoints hold only tensors and plain types: resumable under
    # torch.load(weights_only=True)
    plain_checkpoint=dict(type='PlainCheckpointHook'),
)

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# SyncBN in multi-GPU runs; mmengine reverts it to BN in single-process runs
sync_bn = 'torch'

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_processor = dict(window_size=10)
log_level = 'INFO'
load_from = None
resume = False

# the seed makes data order and every augmentation reproducible
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
