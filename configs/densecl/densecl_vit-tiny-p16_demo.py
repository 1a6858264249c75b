# DenseCL demo on ViT-Ti/16: densecl_r18_demo.py on the patch map
# (N, 192, h, w): the dense projector and the matching of grid cells by
# feature similarity (no boxes) run on the patch grid as on C5. DINO's AdamW
# recipe over 12 epochs.
_base_ = [
    './densecl_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny),
    neck=dict(in_channels=_base_.vit_tiny_channels))

optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
