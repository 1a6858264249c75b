# BYOL on the CPU demo: the demo data and schedule of
# configs/pixpro/pixpro_r18_demo.py, mmpretrain's BYOL with a ResNet-18.
_base_ = [
    '../_base_/models/byol_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=1024),
    head=dict(predictor=dict(hid_channels=1024)))
