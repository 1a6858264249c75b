# PixPro with a ResNet-50: C5 (N, 2048, 7, 7) at 224 px -> per-pixel projector
# 2048-4096-256 -> Pixel Propagation Module (gamma 2, one value conv) + loss.
model = dict(
    type='PixPro',
    base_momentum=0.99,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),  # our pipeline is RGB already
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='PixelMLPNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='PixelPropagationHead',
        in_channels=256,
        gamma=2.0,
        clamp_value=0.0,
        num_value_layers=1,
        loss=dict(type='PixProLoss', pos_threshold=0.7)),
)

# momentum m = 1 - (1 - 0.99)(cos(pi s / S) + 1) / 2, s the optimiser step
custom_hooks = [dict(type='MomentumHook')]
