# R2O (https://arxiv.org/abs/2208.11821): ResNet-50 returning layer3 (the
# mask network's c4 map, clustered) and layer4 (mask-pooled), BYOL's
# 2048-4096-256 projector and 256-4096-256 predictor on mask rows (Linear,
# BN over all rows, ReLU, Linear), the masked BYOL loss; the momentum copy is
# both target and mask network: tau = 0.99 annealed to 1 (MomentumHook), K
# of k-means 128 for 40 epochs then a cosine down to 4 at epoch 300
# (R2OClusterHook, from the Runner's epoch).
model = dict(
    type='R2O',
    base_momentum=0.99,
    mask_level=0,
    mask_size=56,
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        stack_groups=False,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(2, 3),
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=False,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='MaskBYOLHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False,
            norm_cfg=dict(type='SyncBN')),
        loss=dict(type='MaskedBYOLLoss')))

custom_hooks = [
    dict(type='MomentumHook'),
    dict(type='R2OClusterHook', epochs=(0, 40, 300), values=(128, 128, 4)),
]
