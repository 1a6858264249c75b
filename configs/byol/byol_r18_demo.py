# BYOL on the CPU demo: the PixPro demo's data and schedule, mmpretrain's BYOL.
_base_ = ['../pixpro/pixpro_r18_demo.py']

model = dict(
    _delete_=True,
    type='BYOL',
    base_momentum=0.01,  # mmengine convention: tau = 1 - 0.01 = 0.99
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(type='ResNet', depth=18, zero_init_residual=False),
    neck=dict(
        type='NonLinearNeck',
        in_channels=512,
        hid_channels=1024,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=1024,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')))

custom_hooks = []
