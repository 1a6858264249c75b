# PixPro with head-network pretraining (PixPro paper, Sec. 4.1): an FPN on the
# ResNet-50 outputs, the pixel task on P3-P6 with the same crop boxes for every
# level, losses averaged over levels; the momentum copy covers backbone + FPN +
# projector. The FPN is mmdet's Mask R-CNN FPN (same arguments, names and
# shapes), so `model.fpn` loads into the detector's `neck` as it is.
_base_ = ['./pixpro_r50_8xb128.py']

model = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),  # C2-C5
    fpn=dict(
        type='FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        num_outs=5),  # P2-P6, P6 = stride-2 max pooling of P5
    neck=dict(
        in_channels=256,
        hid_channels=4096,
        out_channels=256,
        in_index=(1, 2, 3, 4)))  # the levels the pixel task uses: P3-P6

# P2's convs (C2 lateral, P2 output conv) get no gradient with levels P3-P6
find_unused_parameters = True
