# Multi-crop PixPro (pixpro-mcrop_r50_8xb128.py) on the CPU demo: ResNet-18,
# 2 global views at 128 px (4x4 maps) + 4 local views at 64 px (2x2 maps),
# local crops inside global view 0 (demo_multicrop.py), the demo's 12-epoch
# LARS schedule. Hooks: those of pixpro_r18_demo.py: the momentum schedule,
# the pictures (PixProVisualizationHook draws the two global views) and
# the dense probe (it reads the online backbone only, whatever the views).
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/demo_multicrop.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    multi_crop=True,
    data_preprocessor=dict(type='MultiViewDataPreprocessor',
                           stack_groups=True),
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(
        in_channels=512,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN')))

custom_hooks = [
    dict(type='MomentumHook'),
    dict(type='PixProVisualizationHook', interval=28, num_queries=3),
    dict(
        type='DenseProbeHook',
        data_root='data/dense',
        interval=6,
        img_size=256,
        probe_cfg=dict(stage='C5'),
        on_missing='warn'),
]
