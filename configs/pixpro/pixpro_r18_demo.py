# PixPro demo: ResNet-18, 128 px crops, the embedded real photographs
# (data/demo/, built by tools/dataset_converters/build_demo_set.py), CPU, a few
# minutes. Same algorithm, loss and schedule shape as the paper's recipe.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(
        in_channels=512,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN')))

# mixed precision (bf16) is inherited: used on a GPU, fp32 on a CPU-only host

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
