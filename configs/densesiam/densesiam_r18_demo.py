# DenseSiam on the CPU demo: the demo data (two 128 px views), 12 epochs,
# SimSiam's SGD (lr 0.05 x 32 / 256, fixed predictor lr), ResNet-18. At 128 px
# C5 is 4 x 4: the overlap is sampled at 4 x 4 points.
_base_ = [
    '../_base_/models/densesiam_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    backbone=dict(depth=18),
    dense_head=dict(
        in_channels=512,
        num_regions=16,
        pix_hid_channels=128,
        region_channels=128,
        region_hid_channels=32,
        grid_size=4),
    neck=dict(in_channels=512, hid_channels=512, out_channels=512),
    head=dict(
        predictor=dict(in_channels=512, hid_channels=128, out_channels=512)))

optim_wrapper = dict(
    optimizer=dict(lr=0.05, weight_decay=1e-4, momentum=0.9),
    paramwise_cfg=dict(custom_keys={'predictor': dict(fix_lr=True)}))

custom_hooks = [
    dict(
        type='SimSiamHook',
        priority='HIGH',
        fix_pred_lr=True,
        lr=0.00625,  # 0.05 x 32 / 256, the auto-scaled lr of one process
        adjust_by_epoch=False)
]
