# RegionCL-M on the CPU demo: the demo data (two 128 px views), 12 epochs,
# MoCo v2's SGD, ResNet-18. At 128 px the map has 4 x 4 cells of 32 px, so
# the swap box is 2-3 cells on a side (3-5 of 7 at 224 px).
_base_ = [
    '../_base_/models/regionclm_r50.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

model = dict(
    queue_len=4096,  # ~ 8 epochs of the 235-image demo set at batch 32 x 2
    swap_cells=(2, 3),
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512))
