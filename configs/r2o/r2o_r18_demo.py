# R2O on the CPU demo: the demo photographs at 128 px (two crops and the
# whole image), ResNet-18 (layer3 clustered, 8 x 8; layer4 pooled, 4 x 4),
# BYOL's demo heads, the demo LARS schedule; K 128 for 2 epochs, then the
# cosine down to 4 at epoch 12.
_base_ = [
    '../_base_/models/r2o_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)))

full_view = [dict(type='FullImageWithBox', size=_base_.crop_size)]
train_pipeline = [
    dict(type='LoadRGBImageFromFile'),
    dict(
        type='MultiViewTransform',
        view_pipelines=[
            _base_.view_pipeline1, _base_.view_pipeline2, full_view
        ]),
    dict(type='SLICSuperpixels', view=2, n_segments=100),
    dict(
        type='PackInputs',
        algorithm_keys=['crop_boxes', 'superpixels'],
        meta_keys=['img_path', 'ori_shape']),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

custom_hooks = [
    dict(type='MomentumHook'),
    dict(type='R2OClusterHook', epochs=(0, 2, 12), values=(128, 128, 4)),
]
