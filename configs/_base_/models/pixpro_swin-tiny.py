# PixPro with a Swin-T (mmpretrain's SwinTransformer, arch 'tiny': 96-192-
# 384-768 channels at strides 4-32, window 7): its last map (N, 768, 7, 7)
# at 224 px -> per-pixel projector 768-4096-256 -> PPM + loss, the rest as
# pixpro_r50.py (momentum 0.99 -> 1, cosine).
_base_ = ['./pixpro_r50.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        arch='tiny',
        img_size=224,
        # stochastic depth of MoBY's Swin-T (Transformer-SSL,
        # configs/moby_swin_tiny.yaml: ONLINE_DROP_PATH_RATE 0.2); the
        # momentum copy inherits it (MoBY's target has 0.0, see README)
        drop_path_rate=0.2,
        out_indices=(3, ),
        # maps smaller than a window (96-px crops: 6 x 6 and 3 x 3 cells)
        # are zero-padded to one window instead of failing
        pad_small_map=True,
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
        ]),
    neck=dict(in_channels=768))
