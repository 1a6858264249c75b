# COCO Mask R-CNN R50-FPN 1x, backbone from PixPro (FPN and heads random,
# SyncBN). Paper (R-50, IN-1k): bbox AP 40.8 (100 ep), 41.3 (100 ep +
# instance branch), 41.4 (400 ep + instance branch).
_base_ = [
    './_base_/mask-rcnn_r50-fpn_pixpro.py', './_base_/coco_instance.py',
    './_base_/schedule_1x.py', './_base_/default_runtime.py'
]
