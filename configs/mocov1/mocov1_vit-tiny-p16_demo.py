# MoCo v1 demo on ViT-Ti/16: mocov1_r18_demo.py with the class token
# (N, 192) as the image feature (out_type='cls_token', as MoCo v3 reads a
# ViT; the linear projector takes it without pooling, gap_dim=0), DINO's
# AdamW recipe over 12 epochs.
_base_ = [
    './mocov1_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny_cls),
    neck=dict(in_channels=_base_.vit_tiny_channels, gap_dim=0))

optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
