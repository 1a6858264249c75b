# PixPro demo on a Swin (configs/_base_/models/swin-nano_demo.py: Swin-T's
# depths at a third of its width, window 4): pixpro_r18_demo.py with the
# backbone swapped, its last map (N, 256, 4, 4) at 128 px into the
# 256-1024-256 projector, AdamW (adamw_demo.py) instead of LARS.
_base_ = [
    './pixpro_r18_demo.py',
    '../_base_/models/swin-nano_demo.py',
    '../_base_/schedules/adamw_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.swin_nano),
    neck=dict(in_channels=_base_.swin_nano_channels[-1]))

optim_wrapper = dict(_delete_=True, **_base_.adamw_demo)
auto_scale_lr = dict(base_batch_size=32)

# the dense probe reads ResNet stages (DenseProbeHook, stage C5): not here
custom_hooks = [
    dict(type='MomentumHook'),
    dict(type='PixProVisualizationHook', interval=28, num_queries=3),
]
