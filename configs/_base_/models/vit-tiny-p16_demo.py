# The ViT of the CPU demos (configs/*/*_vit-tiny-p16_demo.py): mmpretrain's
# VisionTransformer, arch 'deit-tiny' (ViT-Ti/16 of DeiT and DINO: 192
# channels, 12 layers, 3 heads, patch 16) WITHOUT stochastic depth: its
# draws come from torch's global RNG, which a resumed run does not restore,
# so a demo with it would not resume exactly (the ImageNet recipes keep
# DINO's drop_path_rate=0.1: their resume is exact up to those draws).
# Position embeddings are built for 96 px (a 6 x 6
# grid) and interpolated (bicubic) to any other view size in forward, so one
# backbone takes 128 px global and 64 px local views. A demo config takes
#     backbone=dict(_delete_=True, **_base_.vit_tiny)
# for the patch map (N, 192, h, w) (pixel methods), vit_tiny_cls for the
# class token (N, 192) (image-level methods: MoCo, BYOL, SimCLR, SwAV, as
# MoCo v3 and DINO read a ViT), vit_tiny_maps for both (PixPro-ins).
vit_tiny = dict(
    type='VisionTransformer',
    arch='deit-tiny',
    img_size=96,
    patch_size=16,
    drop_path_rate=0.,
    out_type='featmap')
vit_tiny_cls = dict(vit_tiny, out_type='cls_token')
vit_tiny_maps = dict(vit_tiny, type='ViTPatchAndClassMaps')
vit_tiny_channels = 192
