# Multi-crop PixPro (pixpro-mcrop_r50_8xb128.py) on the CPU demo: ResNet-18,
# 2 global views at 128 px (4x4 maps) + 4 local views at 64 px (2x2 maps),
# local crops inside global view 0 (demo_multicrop.py), the demo's 12-epoch
# LARS schedule. Model and hooks: those of pixpro_r18_demo.py
# (configs/_base_/models/pixpro_r18-demo.py): the momentum schedule, the
# pictures (PixProVisualizationHook draws the two global views) and the
# dense probe (it reads the online backbone only, whatever the views).
_base_ = [
    '../_base_/models/pixpro_r18-demo.py',
    '../_base_/datasets/demo_multicrop.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    multi_crop=True,
    data_preprocessor=dict(type='MultiViewDataPreprocessor',
                           stack_groups=True))
