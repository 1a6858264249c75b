# Multi-crop PixPro demo on ViT-Ti/16: the views of pixpro-mcrop_r18_demo.py
# (2 global + local views at smaller sizes; the position embeddings are
# interpolated to each grid), DINO's AdamW recipe over 12 epochs.
_base_ = [
    './pixpro-mcrop_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny),
    neck=dict(in_channels=_base_.vit_tiny_channels))

optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
