# The per-view pipelines of "Revisiting Contrastive SSL" (the authors'
# main_ours.py with --constrained-cropping --auto-augment 0 2 3 4 5), to be
# put into a MultiViewTransform as [query, key, small] with num_views
# [1, 1, 4] (configs/revisiting/*.py). No dataset here: the configs take it
# from coco_pixpro.py or demo_multicrop.py.
#   view 0, the large query: crop 160 px, scale 0.2-1, flip, then with
#     probability 1/2 AutoAugment (ImageNet policy), else MoCo v2's colour;
#   view 1, the key: crop 160 px, scale 0.2-1, flip, MoCo v2's colour;
#   views 2-5, the small queries: crop 96 px, scale 0.05-0.14, at least
#     10 % of the crop inside the key crop (view 1), then as view 0.
# MoCo v2's colour: jitter (0.4, 0.4, 0.4, 0.1) with p 0.8, grayscale 0.2,
# Gaussian blur sigma 0.1-2 with p 0.5. AutoAugment is mmpretrain's, with
# black padding as torchvision's (the authors' fill=None).
mocov2_colour = [
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.1,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
]
autoaugment_or_colour = dict(
    type='RandomPipelineChoice',
    pipelines=[
        [dict(type='AutoAugment', policies='imagenet',
              hparams=dict(pad_val=0))],
        mocov2_colour,
    ])

query_view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=160, scale=(0.2, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    autoaugment_or_colour,
]
key_view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=160, scale=(0.2, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    *mocov2_colour,
]
small_view_pipeline = [
    dict(
        type='RandomResizedCropWithBox',
        size=96,
        scale=(0.05, 0.14),
        ref_view=1,
        min_share=0.1),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    autoaugment_or_colour,
]
