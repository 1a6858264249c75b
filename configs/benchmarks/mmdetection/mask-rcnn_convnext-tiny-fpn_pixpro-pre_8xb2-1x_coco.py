# COCO Mask R-CNN ConvNeXt-T FPN 1x from the PixPro ConvNeXt-T: mmpretrain's
# ConvNeXt through custom_imports (as mmdet's configs/convnext), keys
# unchanged under "backbone."; the optimiser of mmdet's
# mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-3x_coco.py (AdamW 2e-4, weight
# decay 0.05, layer-wise learning-rate decay 0.95 over 6 layers, drop path
# 0.4) on the 1x schedule and single-scale data of the other benchmarks
# here (fp32; mmdet's uses AMP and 3x multi-scale crops). norm0-2 are not
# pretrained and start as LayerNorm (1, 0).
_base_ = [
    './_base_/mask-rcnn_r50-fpn_pixpro.py', './_base_/coco_instance.py',
    './_base_/schedule_1x.py', './_base_/default_runtime.py'
]
custom_imports = dict(imports='mmpretrain.models', allow_failed_imports=False)
pretrained = ('work_dirs/pixpro_convnext-tiny_8xb128-coslr-300e_in1k/'
              'epoch_300_mmdet.pth')
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='tiny',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.4,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(in_channels=[96, 192, 384, 768], norm_cfg=None))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg=dict(decay_rate=0.95, decay_type='layer_wise', num_layers=6),
    optimizer=dict(
        type='AdamW', lr=0.0002, betas=(0.9, 0.999), weight_decay=0.05))
custom_hooks = []  # no BatchNorm in the backbone: no PreciseBN
