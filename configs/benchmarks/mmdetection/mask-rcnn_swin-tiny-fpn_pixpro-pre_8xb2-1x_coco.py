# COCO Mask R-CNN Swin-T FPN 1x from the PixPro Swin-T: mmdet's
# SwinTransformer (mmpretrain's key layout; it strips "backbone." itself)
# with convert_weights=False (the export is in that layout already; True
# would re-order weights as if they came from the original Swin code), the
# recipe of mmdet's mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py: AdamW 1e-4,
# weight decay 0.05 (none on relative position tables and norms), drop path
# 0.2, FPN without norm, 12 epochs, 8 GPUs x 2 images. norm0-2 are not
# pretrained and start as LayerNorm (1, 0).
_base_ = [
    './_base_/mask-rcnn_r50-fpn_pixpro.py', './_base_/coco_instance.py',
    './_base_/schedule_1x.py', './_base_/default_runtime.py'
]
pretrained = ('work_dirs/pixpro_swin-tiny_8xb64-coslr-300e_in1k/'
              'epoch_300_mmdet.pth')
model = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        embed_dims=96,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        window_size=7,
        mlp_ratio=4,
        qkv_bias=True,
        qk_scale=None,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.2,
        patch_norm=True,
        out_indices=(0, 1, 2, 3),
        with_cp=False,
        convert_weights=False,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(in_channels=[96, 192, 384, 768], norm_cfg=None))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys=dict(
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
custom_hooks = []  # no BatchNorm in the backbone: no PreciseBN
