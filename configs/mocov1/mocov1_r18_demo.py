# MoCo v1 on the CPU demo: the demo data and epochs, ResNet-18, MoCo v1's
# head, T 0.07 and views (mocov1_views.py, as the R50 recipe's, at 128 px),
# MoCo's SGD with the demo's cosine schedule (as configs/mocov2's demo).
_base_ = [
    '../_base_/models/mocov1_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/datasets/mocov1_views.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

# 6 batches of 32 keys: a little less than one epoch of the 235-image demo
# set (7 batches), as MoCo's 65536 keys are a fraction of an ImageNet epoch:
# the queue holds recent keys only, not the random ones it starts with
model = dict(
    queue_len=192, backbone=dict(depth=18), neck=dict(in_channels=512))

view_pipeline = _base_.view_pipeline  # MoCo v1's (mocov1_views.py)
view_pipeline[0]['size'] = _base_.crop_size  # RandomResizedCropWithBox
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline, view_pipeline]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
