# SimCLR (https://arxiv.org/abs/2002.05709): NT-Xent over the 2N views of a
# batch with temperature 0.1, ResNet-50 (global BN: SyncBN), 2-layer MLP
# projection head 2048-2048-128 (mmpretrain's NonLinearNeck, as its SimCLR
# configs). SimCLR is mmpretrain's class with supported_views declared.
model = dict(
    type='SimCLR',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_layers=2,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.1))
