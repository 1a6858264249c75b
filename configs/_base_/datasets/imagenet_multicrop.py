# ImageNet-1k train split, multi-crop: the two PixPro views at 224 px
# (imagenet_pixpro.py) and 6 local views at 96 px (SwAV's 2x224 + 6x96),
# each local crop with at least 10 % of its area inside global view 0
# ("Revisiting Contrastive SSL": small crops constrained by the key crop).
# The views arrive as 8 tensors, 2 of 224 px and 6 of 96 px; the model's
# data_preprocessor MultiViewDataPreprocessor stacks them per size.
_base_ = ['./imagenet_pixpro.py']

local_crop_size = 96

# local views: small crop inside view 0, then view 1's flip, colour jitter
# 0.8 and grayscale 0.2, and blur 0.5
local_view_pipeline = [
    dict(
        type='RandomResizedCropWithBox',
        size=local_crop_size,
        scale=(0.05, 0.14),
        ref_view=0,
        min_share=0.1),
    *_base_.view_pipeline1[1:4],
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
]

train_pipeline = _base_.train_pipeline
train_pipeline[1] = dict(
    type='MultiViewTransform',
    view_pipelines=[
        _base_.view_pipeline1, _base_.view_pipeline2, local_view_pipeline
    ],
    num_views=[1, 1, 6])
# how many crops of a sample fell back to the centre crop, in its metainfo
train_pipeline[2]['meta_keys'] = ['img_path', 'crop_fallbacks']

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
