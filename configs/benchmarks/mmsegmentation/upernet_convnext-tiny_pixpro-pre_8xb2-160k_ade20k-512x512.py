# ADE20K UPerNet on the PixPro ConvNeXt-T: mmpretrain's ConvNeXt through
# custom_imports (as mmseg's convnext-tiny_upernet_8xb2-amp-160k_ade20k-
# 512x512.py), keys unchanged under "backbone."; that config's recipe:
# AdamW 1e-4, weight decay 0.05, stage-wise learning-rate decay 0.9 over 6
# layers, drop path 0.4, 160k iterations, 8 GPUs x 2 images (fp32 here;
# mmseg's uses AMP). norm0-2 are not pretrained and start as LN (1, 0).
_base_ = [
    './_base_/upernet_pixpro.py', './_base_/ade20k_512x512.py',
    './_base_/schedule_adamw_poly-160k.py', './_base_/default_runtime.py'
]
custom_imports = dict(imports='mmpretrain.models', allow_failed_imports=False)
pretrained = ('work_dirs/pixpro_convnext-tiny_8xb128-coslr-300e_in1k/'
              'epoch_300_mmseg.pth')
model = dict(
    backbone=dict(
        type='mmpretrain.ConvNeXt',
        arch='tiny',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.4,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    decode_head=dict(in_channels=[96, 192, 384, 768]),
    auxiliary_head=dict(in_channels=384))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.9, decay_type='stage_wise', num_layers=6))
default_hooks = dict(checkpoint=dict(interval=16000))
