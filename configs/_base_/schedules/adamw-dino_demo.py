# The DINO AdamW recipe of adamw-dino_coslr-300e.py over the 12 epochs of a
# CPU demo (batch 32), as variables a ViT demo takes over its ResNet-18
# demo's optimiser and schedule:
#     optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
#     param_scheduler = _base_.adamw_dino_demo_schedulers
#     auto_scale_lr = dict(base_batch_size=32)
# 1 warm-up epoch then cosine over 11 (DINO: 10 of 100+), weight decay
# 0.04 -> 0.4 over the 12 epochs, clipping at 3.0, no decay on 1-D tensors.
# lr 1e-3 for the batch of 32 instead of DINO's linear scaling (5e-4 x 32 /
# 256 = 6.25e-5: 84 steps would hardly move the weights), as the Swin /
# ConvNeXt demos do (adamw_demo.py).
adamw_dino_demo = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.04),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(flat_decay_mult=0.))
adamw_dino_demo_schedulers = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=11,
        eta_min=1e-6,
        by_epoch=True,
        begin=1,
        end=12,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingParamScheduler',
        param_name='weight_decay',
        eta_min_ratio=10.,
        T_max=12,
        by_epoch=True,
        begin=0,
        end=12,
        convert_to_iter_based=True),
]
