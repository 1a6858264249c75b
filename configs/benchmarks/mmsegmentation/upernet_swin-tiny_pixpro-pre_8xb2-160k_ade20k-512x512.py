# ADE20K UPerNet on the PixPro Swin-T: mmseg's SwinTransformer (same key
# layout as mmpretrain's; it strips "backbone." itself), the recipe of
# mmseg's swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-
# 512x512.py (AdamW 6e-5, weight decay 0.01, drop path 0.3, 160k
# iterations, 8 GPUs x 2 images). norm0-2 are not pretrained (PixPro reads
# the last stage) and start as LayerNorm (1, 0).
_base_ = [
    './_base_/upernet_pixpro.py', './_base_/ade20k_512x512.py',
    './_base_/schedule_adamw_poly-160k.py', './_base_/default_runtime.py'
]
pretrained = ('work_dirs/pixpro_swin-tiny_8xb64-coslr-300e_in1k/'
              'epoch_300_mmseg.pth')
model = dict(
    backbone=dict(
        type='SwinTransformer',
        pretrain_img_size=224,
        embed_dims=96,
        patch_size=4,
        window_size=7,
        mlp_ratio=4,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        strides=(4, 2, 2, 2),
        out_indices=(0, 1, 2, 3),
        qkv_bias=True,
        qk_scale=None,
        patch_norm=True,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.3,
        use_abs_pos_embed=False,
        act_cfg=dict(type='GELU'),
        norm_cfg=dict(type='LN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    decode_head=dict(in_channels=[96, 192, 384, 768]),
    auxiliary_head=dict(in_channels=384))
default_hooks = dict(checkpoint=dict(interval=16000))
