# Multi-crop PixPro on the convnext-atto demo backbone:
# pixpro-mcrop_r18_demo.py (2 global views at 128 px, 4 local views at 64 px)
# with the backbone of pixpro_convnext-atto_demo.py and AdamW.
_base_ = [
    './pixpro-mcrop_r18_demo.py',
    '../_base_/models/convnext-atto_demo.py',
    '../_base_/schedules/adamw_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.convnext_atto),
    neck=dict(in_channels=_base_.convnext_atto_channels[-1]))

optim_wrapper = dict(_delete_=True, **_base_.adamw_demo)
auto_scale_lr = dict(base_batch_size=32)

# the dense probe reads ResNet stages (DenseProbeHook, stage C5): not here
custom_hooks = [
    dict(type='MomentumHook'),
    dict(type='PixProVisualizationHook', interval=28, num_queries=3),
]
