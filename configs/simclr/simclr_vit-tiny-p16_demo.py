# SimCLR demo on ViT-Ti/16: simclr_r18_demo.py with the class token (N, 192)
# as the image feature (out_type='cls_token', as MoCo v3 and DINO read a
# ViT; the neck takes it without pooling), DINO's AdamW recipe over 12
# epochs.
_base_ = [
    './simclr_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny_cls),
    neck=dict(in_channels=_base_.vit_tiny_channels, with_avg_pool=False))

optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
