# SimCLR on the CPU demo: the demo data and 12-epoch LARS schedule (1 warm-up
# epoch, cosine), ResNet-18, SimCLR's head, T 0.1, its LARS lr 0.3 per 256
# images and weight decay 1e-6, and its views (simclr_views.py, as the R50
# recipe's, at 128 px).
_base_ = [
    '../_base_/models/simclr_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/datasets/simclr_views.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=512))

view_pipeline = _base_.view_pipeline  # SimCLR's (simclr_views.py)
view_pipeline[0]['size'] = _base_.crop_size  # RandomResizedCropWithBox
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline, view_pipeline]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.3, weight_decay=1e-6))
