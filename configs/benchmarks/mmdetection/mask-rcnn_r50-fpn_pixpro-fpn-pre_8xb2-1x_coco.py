# As mask-rcnn_r50-fpn_pixpro-pre, but the FPN neck is initialised too, from
# an FPN-pretrained checkpoint exported with `--to mmdet --with-fpn`. The
# pretrained FPN has biases and no norm layers, so this neck has none
# (norm_cfg=None); everything else keeps SyncBN. `pretrained` is what
# `convert.py work_dirs/pixpro-fpn_r50_8xb128/epoch_100.pth --to mmdet
# --with-fpn` writes.
_base_ = ['./mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py']
pretrained = 'work_dirs/pixpro-fpn_r50_8xb128/epoch_100_mmdet-fpn.pth'
model = dict(
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
    neck=dict(
        norm_cfg=None,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='neck.')))
