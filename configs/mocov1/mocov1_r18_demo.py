# MoCo v1 on the CPU demo: the demo data and epochs, ResNet-18, MoCo v1's
# head, T 0.07 and views (those of mocov1_r50_8xb32-200e_in1k.py at 128 px),
# MoCo's SGD with the demo's cosine schedule (as configs/mocov2's demo).
_base_ = [
    '../_base_/models/mocov1_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

# 6 batches of 32 keys: a little less than one epoch of the 235-image demo
# set (7 batches), as MoCo's 65536 keys are a fraction of an ImageNet epoch:
# the queue holds recent keys only, not the random ones it starts with
model = dict(
    queue_len=192, backbone=dict(depth=18), neck=dict(in_channels=512))

view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=128, scale=(0.2, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.4,
        prob=1.0),
]
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline, view_pipeline]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
