# MoCo v2 (https://arxiv.org/abs/2003.04297) on the PixPro pipeline:
# mmpretrain's MoCo with the v2 neck, ResNet-50, the same two coordinate-aware
# views (crop boxes unused), batch, epochs and bf16 as
# configs/pixpro/pixpro_r50_8xb128.py. The optimiser is MoCo v2's own: SGD,
# lr 0.03 x batch / 256, momentum 0.9, wd 1e-4, cosine (use the PixPro LARS
# schedule instead with --cfg-options if you want to change nothing but the
# loss).
_base_ = ['../pixpro/pixpro_r50_8xb128.py']

model = dict(
    _delete_=True,
    type='MoCo',
    queue_len=65536,
    feat_dim=128,
    # mmengine's EMA convention: key = (1 - m) * key + m * query, so
    # m = 0.001 is the paper's momentum 0.999 (constant)
    momentum=0.001,
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

optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='SGD', lr=0.03, momentum=0.9,
        weight_decay=1e-4))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=100,
        by_epoch=True,
        begin=0,
        end=100,
        convert_to_iter_based=True)
]

# the key encoder's EMA is done by MoCo itself: no CosineMomentumHook
custom_hooks = []
