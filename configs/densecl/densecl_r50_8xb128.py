# DenseCL (https://arxiv.org/abs/2011.09157) on the PixPro pipeline:
# mmpretrain's DenseCL, ResNet-50, the MoCo v2 config of this library (same
# views, batch, epochs, SGD recipe) with the dense head; the loss weight
# lambda = 0.5 is held at 0 for the first 1000 iterations (mmpretrain's
# DenseCLHook, named with its scope: mmpixpro does not import
# mmpretrain.engine, so the plain name is not found).
_base_ = ['../mocov2/mocov2_r50_8xb128.py']

model = dict(
    type='DenseCL',
    loss_lambda=0.5,
    neck=dict(
        _delete_=True,
        type='DenseCLNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_grid=None))

custom_hooks = [dict(type='mmpretrain.DenseCLHook', start_iters=1000)]
find_unused_parameters = True
