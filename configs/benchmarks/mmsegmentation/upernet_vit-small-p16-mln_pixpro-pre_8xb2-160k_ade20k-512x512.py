# ADE20K UPerNet on the PixPro ViT-S/16: mmseg's VisionTransformer with the
# outputs of layers 3, 6, 9, 12, a multi-level neck (MLN: 1x1 convs and
# rescaling by 4, 2, 1, 0.5), UPerHead; the recipe of mmseg's
# vit_vit-b16_mln_upernet_8xb2-160k_ade20k-512x512.py at ViT-S width (AdamW
# 6e-5, 160k iterations, 8 GPUs x 2 images, drop path 0.1). The export
# (convert.py --to mmseg) has bare mmseg keys: mmseg's ViT reads the file
# without a prefix and resizes pos_embed from 14 x 14 to 32 x 32.
_base_ = [
    './_base_/upernet_pixpro.py', './_base_/ade20k_512x512.py',
    './_base_/schedule_adamw_poly-160k.py', './_base_/default_runtime.py'
]
pretrained = ('work_dirs/pixpro_vit-small-p16_8xb128-coslr-300e_in1k/'
              'epoch_300_mmseg.pth')
model = dict(
    backbone=dict(
        type='VisionTransformer',
        img_size=(512, 512),
        patch_size=16,
        # mmpretrain's patch embedding has a bias; mmseg 1.x's default is
        # patch_bias=False (a bias-free file would load with a random one)
        patch_bias=True,
        in_channels=3,
        embed_dims=384,
        num_layers=12,
        num_heads=6,
        mlp_ratio=4,
        out_indices=(2, 5, 8, 11),
        qkv_bias=True,
        drop_rate=0.0,
        attn_drop_rate=0.0,
        drop_path_rate=0.1,
        with_cls_token=True,
        # mmpretrain's ViT: LayerNorm eps 1e-6 and a final norm (ln1)
        norm_cfg=dict(type='LN', eps=1e-6),
        act_cfg=dict(type='GELU'),
        final_norm=True,
        norm_eval=False,
        interpolate_mode='bicubic',
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(
        type='MultiLevelNeck',
        in_channels=[384, 384, 384, 384],
        out_channels=384,
        scales=[4, 2, 1, 0.5]),
    decode_head=dict(in_channels=[384, 384, 384, 384]),
    auxiliary_head=dict(in_channels=384))
default_hooks = dict(checkpoint=dict(interval=16000))
