# ImageNet-1k train split for CP2: per image 2 foreground views (query, key)
# and 2 background views, all with the MoCo v2 augmentation the authors use
# (crop scale 0.2-1, colour jitter 0.4/0.4/0.4/0.1 p 0.8, grayscale 0.2,
# blur p 0.5, flip), then one paste rectangle per foreground view
# (RandomErasing-shaped, area 0.5-0.8, aspect 0.8-1.25). The model pastes
# each foreground over the background views of the next image of the batch.
_base_ = ['./imagenet_pixpro.py']

view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.2, 1.0)),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.1,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
]

train_pipeline = [
    dict(type='LoadRGBImageFromFile', min_short_side=915),
    dict(
        type='MultiViewTransform',
        view_pipelines=[view_pipeline],
        num_views=[4]),
    dict(type='RandomPasteBox', views=(0, 1), scale=(0.5, 0.8),
         ratio=(0.8, 1.25)),
    dict(
        type='PackInputs',
        algorithm_keys=['crop_boxes', 'paste_boxes'],  # crop boxes unused
        meta_keys=['img_path']),
]

train_dataloader = dict(
    batch_size=32, dataset=dict(pipeline=train_pipeline))
