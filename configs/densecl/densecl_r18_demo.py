# DenseCL on the CPU demo: the MoCo v2 demo with the dense head; lambda warm-up
# shortened to the first 7 iterations (one demo epoch).
_base_ = ['../mocov2/mocov2_r18_demo.py']

model = dict(
    type='DenseCL',
    loss_lambda=0.5,
    neck=dict(
        _delete_=True,
        type='DenseCLNeck',
        in_channels=512,
        hid_channels=512,
        out_channels=128,
        num_grid=None))

custom_hooks = [dict(type='mmpretrain.DenseCLHook', start_iters=7)]
find_unused_parameters = True
