# PixPro's model and hooks on the CPU demos (configs/pixpro/pixpro_r18_demo.py,
# pixpro-mcrop_r18_demo.py): pixpro_r50.py with a ResNet-18 (C5 512 channels,
# plain BN) and a 512-1024-256 projector.
_base_ = ['./pixpro_r50.py']

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(
        in_channels=512,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN')))

# the momentum schedule of the paper config; pictures of the views, boxes,
# similarity maps and PPM weights every 28 iterations (4 epochs); a dense
# probe of the online backbone on data/dense
# (tools/dataset_converters/build_dense_set.py) at iteration 0 (random init),
# after epoch 6 and at the end, logged as probe/*; without data/dense the run
# trains on with a warning
custom_hooks = [
    dict(type='MomentumHook'),
    dict(type='PixProVisualizationHook', interval=28, num_queries=3),
    dict(
        type='DenseProbeHook',
        data_root='data/dense',
        interval=6,
        img_size=256,
        probe_cfg=dict(stage='C5'),
        on_missing='warn'),
]
