# ImageNet-1k train split, two PixPro views per image (the paper's recipe).
# Normalisation is done by the model's data_preprocessor (RGB input,
# mean (123.675, 116.28, 103.53), std (58.395, 57.12, 57.375), to_rgb=False).
dataset_type = 'UnlabeledImageFolder'
data_root = 'data/imagenet/train/'

# view 1: crop, flip, colour jitter 0.8, grayscale 0.2, blur 1.0
view_pipeline1 = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.08, 1.0)),
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
# view 2: as view 1, but blur 0.1 and solarize 0.2
view_pipeline2 = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.08, 1.0)),
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
    # JPEGs larger than needed are decoded at 1/2-1/8 scale (PIL draft), as
    # long as the short side stays >= 915 = 224 / sqrt(0.08 * 3 / 4): the
    # smallest crop then still needs no upsampling. ImageNet's ~500 x 375
    # photos are unaffected; multi-megapixel photos decode 3x faster.
    dict(type='LoadRGBImageFromFile', min_short_side=915),
    dict(
        type='TwoViewTransform',
        view_pipelines=[view_pipeline1, view_pipeline2]),
    dict(
        type='PackInputs',
        algorithm_keys=['crop_boxes'],
        meta_keys=['img_path']),
]

train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='EpochSeedSampler', shuffle=True),
    # own numpy/random/torch stream per worker, rank and epoch
    worker_init_fn=dict(type='mmpixpro.pixpro_worker_init_fn'),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='',
        pipeline=train_pipeline))
