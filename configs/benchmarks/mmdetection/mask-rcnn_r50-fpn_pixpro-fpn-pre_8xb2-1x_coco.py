# As mask-rcnn_r50-fpn_pixpro-pre, but the FPN neck is initialised too, from
# an FPN-pretrained checkpoint exported with `--to mmdet --with-fpn`. The
# pretrained FPN has biases and no norm layers, so this neck has none
# (norm_cfg=None); everything else keeps SyncBN.
_base_ = ['./mask-rcnn_r50-fpn_pixpro-pre_8xb2-1x_coco.py']
pretrained = 'work_dirs/pixpro_r50_fpn_mmdet-fpn.pth'
model = dict(
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
    neck=dict(
        norm_cfg=None,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='neck.')))
