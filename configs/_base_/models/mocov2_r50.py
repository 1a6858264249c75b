# MoCo v2 (https://arxiv.org/abs/2003.04297): mmpretrain's MoCo with the v2
# neck, ResNet-50, a queue of 65536 keys, temperature 0.2, on the library's
# momentum copy: key = m * key + (1 - m) * query with the paper's constant
# m = 0.999.
model = dict(
    type='MomentumMoCo',
    queue_len=65536,
    feat_dim=128,
    base_momentum=0.999,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='BN'),  # MoCo shuffles BN across GPUs instead
        zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))

# constant key-encoder momentum m; one EMA step per optimiser step
custom_hooks = [dict(type='MomentumHook', schedule=None)]
