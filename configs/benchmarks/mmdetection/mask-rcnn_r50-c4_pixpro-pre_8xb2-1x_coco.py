# COCO Mask R-CNN R50-C4 1x (res5 in the RoI head, initialised from the
# export as well). Paper (R-50, IN-1k): bbox AP 40.0 (100 ep), 40.5 (400 ep).
# mask_roi_extractor=None: the mask head reads the box branch's RoI features
# through res5 (mmdet then shares the RoI extractor itself).
_base_ = [
    './_base_/faster-rcnn_r50-c4_pixpro.py', './_base_/coco_instance.py',
    './_base_/schedule_1x.py', './_base_/default_runtime.py'
]
model = dict(
    type='MaskRCNN',
    roi_head=dict(
        mask_roi_extractor=None,
        mask_head=dict(
            type='FCNMaskHead',
            num_convs=0,
            in_channels=2048,
            conv_out_channels=256,
            num_classes=80,
            loss_mask=dict(
                type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(rcnn=dict(mask_size=14)),
    test_cfg=dict(rcnn=dict(mask_thr_binary=0.5)))
