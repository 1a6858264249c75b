# PixPro demo: ResNet-18, 128 px crops, the embedded real photographs
# (data/demo/, built by tools/dataset_converters/build_demo_set.py), CPU, a few
# minutes. Same algorithm, loss and schedule shape as the paper's recipe.
_base_ = ['./pixpro_r50_8xb128.py']

crop_size = 128

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(
        in_channels=512,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN')))

view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', size=crop_size, scale=(0.08, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.2,
        hue=0.1,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=1.0),
]
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', size=crop_size, scale=(0.08, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.2,
        hue=0.1,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.1),
    dict(type='RandomSolarize', threshold=128, prob=0.2),
]
train_pipeline = [
    dict(type='LoadRGBImageFromFile'),
    dict(
        type='TwoViewTransform',
        view_pipelines=[view_pipeline1, view_pipeline2]),
    dict(
        type='PackInputs',
        algorithm_keys=['crop_boxes'],
        meta_keys=['img_path']),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(data_root='data/demo/', pipeline=train_pipeline))

# mixed precision (bf16) is inherited: used on a GPU, fp32 on a CPU-only host

max_epochs = 12
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - 1,
        eta_min=1e-6,
        by_epoch=True,
        begin=1,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)

default_hooks = dict(
    logger=dict(interval=2),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))

env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)

# the momentum schedule of the paper config; pictures of the views, boxes,
# similarity maps and PPM weights every 28 iterations (4 epochs); a dense
# probe of the online backbone on data/dense
# (tools/dataset_converters/build_dense_set.py) at iteration 0 (random init),
# after epoch 6 and at the end, logged as probe/*; without data/dense the run
# trains on with a warning
custom_hooks = [
    dict(type='CosineMomentumHook'),
    dict(type='PixProVisualizationHook', interval=28, num_queries=3),
    dict(
        type='DenseProbeHook',
        data_root='data/dense',
        interval=6,
        img_size=256,
        probe_cfg=dict(stage='C5'),
        on_missing='warn'),
]
