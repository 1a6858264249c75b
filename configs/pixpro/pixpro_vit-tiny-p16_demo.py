# PixPro demo on a ViT: ViT-Ti/16 (configs/_base_/models/vit-tiny-p16_demo.py)
# on 96 px views (6 x 6 patch grids), the demo photographs of
# pixpro_r18_demo.py, DINO's AdamW recipe over 12 epochs
# (configs/_base_/schedules/adamw-dino_demo.py), CPU, a few minutes.
# The loss places the patch cells at (i + 0.5) * 16 / S of each crop
# (mmpixpro.models.utils.grid_boxes); the projector is 192-1024-256.
_base_ = [
    './pixpro_r18_demo.py',
    '../_base_/models/vit-tiny-p16_demo.py',
    '../_base_/schedules/adamw-dino_demo.py',
]

crop_size = 96
view_pipeline1 = _base_.view_pipeline1
view_pipeline1[0]['size'] = crop_size  # RandomResizedCropWithBox
view_pipeline2 = _base_.view_pipeline2
view_pipeline2[0]['size'] = crop_size
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline1, view_pipeline2]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(
    backbone=dict(_delete_=True, **_base_.vit_tiny),
    neck=dict(in_channels=_base_.vit_tiny_channels))

optim_wrapper = dict(_delete_=True, **_base_.adamw_dino_demo)
param_scheduler = _base_.adamw_dino_demo_schedulers
auto_scale_lr = dict(base_batch_size=32)
