# DenseCL on the CPU demo: the MoCo v2 demo with the dense neck; the lambda
# warm-up shortened to the first 7 iterations (one demo epoch).
_base_ = [
    '../_base_/models/densecl_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    queue_len=4096,
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512))

custom_hooks = [dict(type='MomentumHook', schedule=None),
                dict(type='DenseCLHook', start_iters=7)]
