# DenseCL on the PixPro pipeline: mmpretrain's DenseCL, ResNet-50, the views,
# batch, epochs and SGD recipe of configs/mocov2/mocov2_r50_8xb128.py; the
# loss weight lambda = 0.5 is held at 0 for the first 1000 iterations
# (mmpretrain's DenseCLHook).
_base_ = [
    '../_base_/models/densecl_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]

custom_hooks = [dict(type='MomentumHook', schedule=None),
                dict(type='DenseCLHook', start_iters=1000)]
