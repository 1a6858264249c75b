# ImageNet-1k for R2O: PixPro's (= BYOL's) two augmented 224 px views, a
# third view of the whole image resized to 224 x 224 (no augmentation) and
# its SLIC superpixels (about 100, skimage) computed in the loader.
_base_ = ['./imagenet_pixpro.py']

full_view = [dict(type='FullImageWithBox', size=224)]

train_pipeline = [
    dict(type='LoadRGBImageFromFile', min_short_side=915),
    dict(
        type='MultiViewTransform',
        view_pipelines=[
            _base_.view_pipeline1, _base_.view_pipeline2, full_view
        ]),
    dict(type='SLICSuperpixels', view=2, n_segments=100, downsample=1),
    dict(
        type='PackInputs',
        algorithm_keys=['crop_boxes', 'superpixels'],
        meta_keys=['img_path', 'ori_shape']),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=16,
    dataset=dict(pipeline=train_pipeline))
