# Runtime shared by every mmpixpro config.
default_scope = 'mmpixpro'
# mmengine's Runner with atomic checkpoint saves, weights-only loading that
# maps torchvision/mmpretrain/official-PixPro layouts, CPU process groups
runner_type = 'SafeRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook that removes old checkpoints only after the
    # new one is complete, saves finite states only, and stores the message
    # hub as plain types (resumable under torch.load(weights_only=True))
    checkpoint=dict(type='SafeCheckpointHook', interval=10, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # a NaN/inf loss (step skipped by NonFiniteSkip* wrappers) stops the run
    # (action='skip' to go on)
    non_finite_loss=dict(type='NonFiniteLossHook', action='stop'),
    # undecodable images are skipped, counted and bounded
    broken_images=dict(type='BrokenImageHook', max_fraction=0.01),
    # each batch's crops that fell back to the centre crop (constrained
    # multi-crop views), logged as crop_fallbacks; nothing for two views
    crop_fallbacks=dict(type='CropFallbackHook'),
)

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# SyncBN in multi-GPU runs; mmengine reverts it to BN in single-process runs
sync_bn = 'torch'

# TensorBoard events (scalars, PixProVisualizationHook's pictures) next to
# the local files wherever the tensorboard package is installed
vis_backends = [
    dict(type='LocalVisBackend'),
    dict(type='TensorboardIfInstalled'),
]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_processor = dict(window_size=10)
log_level = 'INFO'
load_from = None
resume = False

# the seed makes data order and every augmentation reproducible
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
