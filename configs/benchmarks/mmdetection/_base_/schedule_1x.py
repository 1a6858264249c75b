# 1x = 90k iterations at 16 images (12 epochs of COCO): SGD 0.02, steps at
# epochs 8 and 11, linear warm-up over 1000 iterations (detectron2's).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=12,
        by_epoch=True,
        milestones=[8, 11],
        gamma=0.1)
]
# detectron2: no weight decay on norm layers (WEIGHT_DECAY_NORM = 0) and
# PreciseBN (200 iterations of 16 images) before each evaluation.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
    paramwise_cfg=dict(norm_decay_mult=0.))
auto_scale_lr = dict(enable=False, base_batch_size=16)
custom_hooks = [
    dict(
        type='DetPreciseBNHook',
        num_samples=3200,
        interval=1,
        priority='ABOVE_NORMAL')
]
