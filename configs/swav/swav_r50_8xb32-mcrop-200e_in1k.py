# SwAV (https://arxiv.org/abs/2006.09882) on the library's multi-crop views:
# mmpretrain's 200-epoch recipe (swav_resnet50_8xb32-mcrop-coslr-200e_in1k-
# 224px-96px.py, the authors' small-batch recipe) with the coordinate-aware
# transforms: 2 x 224 px (scale 0.14-1) + 6 x 96 px (scale 0.05-0.14), the
# local crops unconstrained (anywhere in the image), SwAV's colour
# distortion on every crop; batch 8 x 32, LARS lr 0.6, wd 1e-6, cosine to
# 6e-4 without warm-up, queue of 3840 embeddings from epoch 15, prototypes
# frozen for the first 5005 iterations (one epoch). What differs from the
# authors' 800-epoch batch-4096 recipe: configs/swav/README.md.
_base_ = [
    '../_base_/models/swav_r50.py',
    '../_base_/datasets/imagenet_multicrop.py',
    '../_base_/datasets/simclr_views.py',
    '../_base_/schedules/lars-swav_coslr-200e.py',
    '../_base_/default_runtime.py',
]

batch_size = 32  # per GPU
num_crops = [2, 6]

# SwAV's colour distortion is SimCLR's (simclr_views.py: jitter
# 0.8/0.8/0.8/0.2 with probability 0.8, grayscale 0.2, blur (sigma 0.1-2)
# 0.5), alike for all crops, global and local
global_view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.14, 1.0)),
    *_base_.view_pipeline[1:],
]
# local crops: not constrained by a global view (ref_view=None)
local_view_pipeline = [
    dict(
        type='RandomResizedCropWithBox',
        size=96,
        scale=(0.05, 0.14),
        ref_view=None),
    *global_view_pipeline[1:],
]

train_pipeline = _base_.train_pipeline
# 692 = 224 / sqrt(0.14 * 3 / 4): the smallest global crop needs no
# upsampling (local crops: 96 / sqrt(0.05 * 3 / 4) = 496)
train_pipeline[0]['min_short_side'] = 692
train_pipeline[1]['view_pipelines'] = [
    global_view_pipeline, local_view_pipeline
]
train_pipeline[1]['num_views'] = num_crops

train_dataloader = dict(
    batch_size=batch_size, dataset=dict(pipeline=train_pipeline))

model = dict(head=dict(loss=dict(num_crops=num_crops)))

# SwAV's LARS, fp32, cosine to 6e-4 without warm-up, lr 0.6 at batch 256
# (8 x 32) scaled linearly for another batch: lars-swav_coslr-200e.py

# the queue of SwAVQueueHook (swav_r50.py): the last 3840 embeddings of
# views 0 and 1 (15 batches of 256; 480 per GPU) used by Sinkhorn from
# epoch 15; the prototypes frozen for the first 5005 iterations (one epoch
# at batch 256: the authors' 313 iterations at batch 4096)
custom_hooks = [
    dict(
        _base_.custom_hooks[0],
        batch_size=batch_size,
        epoch_queue_starts=15,
        queue_length=3840,
        frozen_layers_cfg=dict(prototypes=5005))
]
