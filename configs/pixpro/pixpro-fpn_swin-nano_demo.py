# PixPro + FPN head pretraining on the Swin demo backbone (128 px): the four
# Swin stages (32-256 channels, 32 x 32 .. 4 x 4 cells) into mmdet's FPN,
# the pixel task on P3-P6 (16 x 16, 8 x 8, 4 x 4, 2 x 2) as
# pixpro-fpn_r18_demo.py does on C2-C5 of a ResNet-18.
_base_ = ['./pixpro_swin-nano_demo.py']

model = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),
    fpn=dict(
        type='FPN',
        in_channels=_base_.swin_nano_channels,
        out_channels=256,
        num_outs=5),
    neck=dict(
        in_channels=256, hid_channels=1024, out_channels=256,
        in_index=(1, 2, 3, 4)))

# P2's convs (C2 lateral, P2 output conv) get no gradient with levels P3-P6
find_unused_parameters = True
