# "Revisiting" multi-crop MoCo demo on ViT-Ti/16: revisiting_r18_demo.py with
# the patch map (N, 192, h, w); its kNN positives are mined on the average-
# pooled backbone features (MultiCropMoCo pools the map), so the projector
# also pools the patch tokens (with_avg_pool=True, inherited) instead of
# reading the class token: average-pooled patch tokens are the image
# feature here. DINO's AdamW recipe over 12 epochs.
_base_ = [
    './revisiting_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny),
    neck=dict(in_channels=_base_.vit_tiny_channels),
    head=dict(backbone_dim=_base_.vit_tiny_channels))

optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
