# DenseCL (https://arxiv.org/abs/2011.09157): mmpretrain's DenseCL, the
# MoCo v2 model of mocov2_r50.py with the dense neck (global and 7x7 dense
# projections), loss = (1 - lambda) global + lambda dense, lambda = 0.5.
_base_ = ['./mocov2_r50.py']

model = dict(
    type='MomentumDenseCL',
    loss_lambda=0.5,
    neck=dict(
        _delete_=True,
        type='DenseCLNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_grid=None))

find_unused_parameters = True

# constant key-encoder momentum m; one EMA step per optimiser step
custom_hooks = [dict(type='MomentumHook', schedule=None)]
