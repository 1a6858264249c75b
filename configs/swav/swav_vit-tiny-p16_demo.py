# SwAV demo on ViT-Ti/16: swav_r18_demo.py (2 global + 4 local views, the
# queue and prototype freezing of the demo) with the average-pooled patch
# tokens of every view as its feature (out_type='featmap', the neck's
# pooling inherited): mmpretrain's SwAVNeck projects nothing without its
# pooling (with_avg_pool=False collects no features), so the class token
# is not used here. DINO's AdamW recipe over 12 epochs instead of LARS.
_base_ = [
    './swav_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny),
    neck=dict(in_channels=_base_.vit_tiny_channels))

# fp32 as swav_r18_demo.py (Sinkhorn-Knopp); a parameter reached through two
# modules of the model is put in one group only (bypass_duplicate)
optim_wrapper = dict(
    _delete_=True,
    type='NonFiniteSkipOptimWrapper',
    optimizer=_base_.adamw_dino_demo.optimizer,
    clip_grad=_base_.adamw_dino_demo.clip_grad,
    paramwise_cfg=dict(_base_.adamw_dino_demo.paramwise_cfg,
                       bypass_duplicate=True))
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
