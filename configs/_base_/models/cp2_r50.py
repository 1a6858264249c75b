# CP2 (https://arxiv.org/abs/2203.11709): a DeepLabV3 network, ResNet-50 at
# output stride 16 (strides (1, 2, 2, 1), dilations (1, 1, 1, 2)) with an
# ASPP of mmseg's ASPPHead names (512 channels, dilations 1, 6, 12, 18), a
# per-pixel projection 512 -> 512 -> 128, the MoCo queue of 65536 pooled
# keys at T 0.2 plus 0.2 x the dense term, and the key network as a
# momentum copy with the paper's constant m = 0.999.
model = dict(
    type='CP2',
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
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=dict(
        type='ASPPNeck',
        in_channels=2048,
        channels=512,
        dilations=(1, 6, 12, 18)),
    head=dict(
        type='CP2Head',
        in_channels=512,
        hid_channels=512,
        out_channels=128,
        loss=dict(
            type='CP2Loss',
            temperature=0.2,
            dense_weight=0.2,
            dense_temperature=1.0,
            normalize_over='query')))

# constant key-network momentum m; one EMA step per optimiser step
custom_hooks = [dict(type='MomentumHook', schedule=None)]
