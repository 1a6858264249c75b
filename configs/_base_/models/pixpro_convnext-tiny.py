# PixPro with a ConvNeXt-T (mmpretrain's ConvNeXt, arch 'tiny': 96-192-384-
# 768 channels at strides 4-32), its last map before any pooling (N, 768,
# 7, 7) at 224 px -> per-pixel projector 768-4096-256 -> PPM + loss, the
# rest as pixpro_r50.py (momentum 0.99 -> 1, cosine).
_base_ = ['./pixpro_r50.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='ConvNeXt',
        arch='tiny',
        # stochastic depth of ConvNeXt-T in its paper (A ConvNet for the
        # 2020s, Table 5: 0.1 for T) and mmpretrain's convnext-tiny.py
        drop_path_rate=0.1,
        out_indices=(3, ),
        gap_before_final_norm=False,
        init_cfg=dict(
            type='TruncNormal', layer=['Conv2d', 'Linear'], std=0.02,
            bias=0.)),
    neck=dict(in_channels=768))
