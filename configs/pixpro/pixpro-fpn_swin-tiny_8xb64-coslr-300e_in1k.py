# PixPro with head-network pretraining on Swin-T (as pixpro-fpn_r50_8xb128.py
# on a ResNet-50): Swin-T's four stages C2-C5 (96-768 channels, strides
# 4-32: 56, 28, 14, 7 cells at 224 px) into mmdet's Mask R-CNN FPN
# (P2-P6, 256 channels; P6 = stride-2 max pooling of P5, 4 cells), the
# pixel task on P3-P6 (strides 8, 16, 32, 64) with the same crop boxes for
# every level, losses averaged over levels. mmdet's Swin-T Mask R-CNN uses
# the same FPN (in_channels [96, 192, 384, 768], 256, 5 outputs), so
# `model.fpn` loads into its `neck`. MoBY's optimiser (8 x 64 images).
_base_ = ['./pixpro_swin-tiny_8xb64-coslr-300e_in1k.py']

model = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),  # C2-C5
    fpn=dict(
        type='FPN',
        in_channels=[96, 192, 384, 768],
        out_channels=256,
        num_outs=5),  # P2-P6
    neck=dict(
        in_channels=256,
        hid_channels=4096,
        out_channels=256,
        in_index=(1, 2, 3, 4)))  # the levels the pixel task uses: P3-P6

# P2's convs (C2 lateral, P2 output conv) and the norm of C2 get no
# gradient with levels P3-P6
find_unused_parameters = True
