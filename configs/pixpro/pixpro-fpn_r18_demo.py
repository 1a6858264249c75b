# PixPro + FPN head pretraining on the CPU demo (ResNet-18, 128 px): P3-P6.
_base_ = ['./pixpro_r18_demo.py']

model = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),
    fpn=dict(
        type='FPN', in_channels=[64, 128, 256, 512], out_channels=256,
        num_outs=5),
    neck=dict(
        in_channels=256, hid_channels=1024, out_channels=256,
        in_index=(1, 2, 3, 4)))

find_unused_parameters = True
