# BYOL (https://arxiv.org/abs/2006.07733): mmpretrain's BYOL with a
# ResNet-50, 2048-4096-256 projector and 256-4096-256 predictor, -cos loss,
# on the library's momentum copy: target = tau * target + (1 - tau) * online,
# tau = 0.99 annealed to 1 with the global iteration, as PixPro's momentum.
model = dict(
    type='MomentumBYOL',
    base_momentum=0.99,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
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
        with_avg_pool=True,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='LatentPredictHead',
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
        loss=dict(type='CosineSimilarityLoss')))

# tau = 1 - (1 - 0.99)(cos(pi s / S) + 1) / 2, s the optimiser step
custom_hooks = [dict(type='MomentumHook')]
