# SwAV on the CPU demo: ResNet-18, the 235 demo photographs in 2 x 128 +
# 4 x 64 px views (demo_multicrop.py, its colour recipe and global crops
# kept so that the family's demos differ by method only; the local crops
# made unconstrained, as SwAV's), SwAV's LARS (lr 0.6 per 256: 0.075 at
# batch 32, wd 1e-6, fp32) over the 12 epochs of the demo schedule (1-epoch
# warm-up, cosine), batch 32 (7 iterations an epoch).
_base_ = [
    '../_base_/models/swav_r50.py',
    '../_base_/datasets/demo_multicrop.py',
    '../_base_/schedules/lars-swav_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

batch_size = 32
num_crops = [2, 4]

# local crops anywhere in the image (demo_multicrop.py puts them >= 10 %
# inside view 0)
local_view_pipeline = _base_.local_view_pipeline
local_view_pipeline[0] = dict(
    type='RandomResizedCropWithBox',
    size=_base_.local_crop_size,
    scale=(0.05, 0.14))
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'][2] = local_view_pipeline
train_dataloader = dict(
    batch_size=batch_size, dataset=dict(pipeline=train_pipeline))

# 30 prototypes for 235 images (~8 images a prototype; the authors' 3000
# for 1.28M images is ~430): the equipartition of Sinkhorn over a batch of
# 32 (plus the queue) is then one to three samples a prototype, as the
# authors' 3000 over 256 + 3840 (~1.4), instead of a batch far smaller
# than K
model = dict(
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512),
    head=dict(loss=dict(num_crops=num_crops, num_prototypes=30)))

# prototypes frozen for the first epoch (7 iterations; the authors freeze
# them for one ImageNet epoch); a queue of 64 embeddings (2 batches, at
# most 2 iterations old) from epoch 2, once the prototypes move: Sinkhorn
# then spreads 96 samples over the 30 prototypes; the queue is kept in the
# checkpoint (SwAVQueueHook of swav_r50.py)
custom_hooks = [
    dict(
        _base_.custom_hooks[0],
        batch_size=batch_size,
        epoch_queue_starts=2,
        queue_length=64,
        frozen_layers_cfg=dict(prototypes=7))
]
