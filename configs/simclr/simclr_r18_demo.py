# SimCLR on the CPU demo: the demo data and 12-epoch LARS schedule (1 warm-up
# epoch, cosine), ResNet-18, SimCLR's head, T 0.1, its LARS lr 0.3 per 256
# images and weight decay 1e-6, and its views (those of
# simclr_r50_16xb256-coslr-200e_in1k.py at 128 px).
_base_ = [
    '../_base_/models/simclr_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=512))

view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=128, scale=(0.08, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(
        type='RandomColorJitter',
        brightness=0.8,
        contrast=0.8,
        saturation=0.8,
        hue=0.2,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
]
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline, view_pipeline]

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.3, weight_decay=1e-6))
