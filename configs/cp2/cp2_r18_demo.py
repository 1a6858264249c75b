# CP2 on the CPU demo: the demo photographs at 128 px (4 views: 2
# foregrounds, 2 backgrounds), 12 epochs, batch 32, ResNet-18 at output
# stride 16 (8 x 8 features), a 256-channel ASPP and CP2's SGD.
_base_ = [
    '../_base_/models/cp2_r50.py',
    '../_base_/datasets/imagenet_cp2.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

crop_size = 128
view_pipeline = _base_.view_pipeline
view_pipeline[0]['size'] = crop_size  # RandomResizedCropWithBox
train_pipeline = _base_.train_pipeline
train_pipeline[0] = dict(type='LoadRGBImageFromFile')
train_pipeline[1]['view_pipelines'] = [view_pipeline]

model = dict(
    queue_len=4096,  # ~ 8 epochs of the 235-image demo set at batch 32
    backbone=dict(depth=18),
    neck=dict(in_channels=512, channels=256),
    head=dict(in_channels=256, hid_channels=256))
optim_wrapper = dict(optimizer=dict(lr=0.015))
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))
