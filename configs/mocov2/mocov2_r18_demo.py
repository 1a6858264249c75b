# MoCo v2 on the CPU demo: the PixPro demo's data and epochs, MoCo v2's SGD.
_base_ = ['../pixpro/pixpro_r18_demo.py']

model = dict(
    _delete_=True,
    type='MoCo',
    queue_len=4096,  # ~ 8 epochs of the 235-image demo set at batch 32 x 2
    feat_dim=128,
    momentum=0.001,  # mmengine convention: 0.999 in the paper's
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(type='ResNet', depth=18, zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=512,
        hid_channels=512,
        out_channels=128,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))

optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='SGD', lr=0.03, momentum=0.9,
        weight_decay=1e-4))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=12,
        by_epoch=True,
        begin=0,
        end=12,
        convert_to_iter_based=True)
]
custom_hooks = []
