# MoCo v1 (https://arxiv.org/abs/1911.05722): mmpretrain's MoCo with the v1
# head, a linear 128-d projection of the pooled ResNet-50 features (the
# authors replace the classifier fc by fc(2048, 128): LinearNeck without
# norm or activation), a queue of 65536 keys and temperature 0.07, on the
# library's momentum copy: key = m * key + (1 - m) * query with the paper's
# constant m = 0.999.
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
        type='LinearNeck',
        in_channels=2048,
        out_channels=128,
        gap_dim=2,  # global average pooling of the (N, 2048, h, w) map
        norm_cfg=None,
        act_cfg=None),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.07))

# constant key-encoder momentum m; one EMA step per optimiser step
custom_hooks = [dict(type='MomentumHook', schedule=None)]
