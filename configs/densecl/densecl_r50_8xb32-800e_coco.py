# DenseCL on COCO, the authors' scene-centric recipe (their README and
# configs/selfsup/densecl/densecl_coco_800ep.py): the 118,287 unlabelled
# images of COCO train2017, ResNet-50, 800 epochs, batch 256 = 8 GPUs x 32,
# SGD lr 0.3 per 256 images, momentum 0.9, weight decay 1e-4, cosine to 0;
# queue 65536, T 0.2, lambda 0.5, key-encoder m 0.999 held constant.
# Deviations (README): the two views are PixPro's (coco_pixpro.py: crop
# scale 0.08-1, BYOL's asymmetric blur/solarize, saturation 0.2) instead of
# MoCo v2's (scale 0.2-1, saturation 0.4, blur 0.5, no solarize), so that it
# compares with PixPro on COCO; bf16 autocast on GPU (the authors: fp32).
_base_ = [
    '../_base_/models/densecl_r50.py',
    '../_base_/datasets/coco_pixpro.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]

max_epochs = 800

train_dataloader = dict(batch_size=32)

optim_wrapper = dict(optimizer=dict(lr=0.3))  # x batch / 256 = x 1
# sgd_coslr-100e.py's per-iteration cosine, over max_epochs
param_scheduler = [
    dict(_base_.param_scheduler[0], T_max=max_epochs, end=max_epochs)
]
train_cfg = dict(max_epochs=max_epochs)

# the authors keep a checkpoint every 40 epochs
default_hooks = dict(checkpoint=dict(interval=40))

# lambda held at 0 for the first 1000 iterations (the authors'
# DenseCLWarmupHook, mmpretrain's DenseCLHook)
custom_hooks = [dict(type='MomentumHook', schedule=None),
                dict(type='DenseCLHook', start_iters=1000)]
