# COCO Mask R-CNN on the PixPro ViT-S/16. mmdet 3.3 has no ViT backbone in
# its core (ViTDet lives in projects/, not in the package), so this is the
# closest model that takes the backbone unchanged: mmpretrain's
# VisionTransformer (custom_imports; keys unchanged under "backbone.";
# pos_embed stays 14 x 14 and is interpolated to each input in forward)
# with the outputs of layers 3, 6, 9, 12 at stride 16, made a pyramid at
# strides 4, 8, 16, 32 by mmseg's Feature2Pyramid (2 deconvs / 1 deconv /
# identity / max-pool, the BEiT/ViTDet "simple feature pyramid"), then the
# FPN and heads of the other benchmarks. Optimiser: ViTDet's AdamW (lr
# 1e-4, weight decay 0.1, none on norms, position embedding and class
# token) without its layer-wise decay (mmdet core has none for ViT) on the
# 1x schedule (ViTDet trains 100 epochs with large-scale jitter).
_base_ = [
    './_base_/mask-rcnn_r50-fpn_pixpro.py', './_base_/coco_instance.py',
    './_base_/schedule_1x.py', './_base_/default_runtime.py'
]
custom_imports = dict(
    imports=['mmpretrain.models', 'mmseg.models'],
    allow_failed_imports=False)
pretrained = ('work_dirs/pixpro_vit-small-p16_8xb128-coslr-300e_in1k/'
              'epoch_300_mmdet.pth')
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        out_type='featmap',
        out_indices=(2, 5, 8, 11),
        drop_path_rate=0.1,
        final_norm=True,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=[
        dict(
            type='mmseg.Feature2Pyramid',
            embed_dim=384,
            rescales=[4, 2, 1, 0.5],
            norm_cfg=norm_cfg),
        dict(
            type='FPN',
            in_channels=[384, 384, 384, 384],
            out_channels=256,
            num_outs=5,
            norm_cfg=norm_cfg)
    ])
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.1),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys=dict(
            pos_embed=dict(decay_mult=0.), cls_token=dict(decay_mult=0.))))
