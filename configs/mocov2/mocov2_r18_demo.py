# MoCo v2 on the CPU demo: the demo data and epochs, MoCo v2's SGD, ResNet-18.
_base_ = [
    '../_base_/models/mocov2_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    queue_len=4096,  # ~ 8 epochs of the 235-image demo set at batch 32 x 2
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512))
