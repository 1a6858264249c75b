# Pascal VOC07+12 Faster R-CNN R50-C4, 24k iterations at 16 images (the
# paper's protocol, taken from MoCo's detectron2 setup): SGD 0.02, steps at
# 18k and 22k, 100 warm-up iterations. Paper (R-50, IN-1k): AP 58.8 after
# 100 pretraining epochs, 60.2 after 400.
_base_ = [
    './_base_/faster-rcnn_r50-c4_pixpro.py', './_base_/voc0712.py',
    './_base_/default_runtime.py'
]
model = dict(roi_head=dict(bbox_head=dict(num_classes=20)))

max_iters = 24000
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=100),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[18000, 22000],
        gamma=0.1)
]
# detectron2: no weight decay on norm layers (WEIGHT_DECAY_NORM = 0) and
# PreciseBN (200 iterations of 16 images) before the evaluation.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
    paramwise_cfg=dict(norm_decay_mult=0.))
auto_scale_lr = dict(enable=False, base_batch_size=16)
custom_hooks = [
    dict(
        type='DetPreciseBNHook',
        num_samples=3200,
        interval=max_iters,
        priority='ABOVE_NORMAL')
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=4000))
log_processor = dict(by_epoch=False)
