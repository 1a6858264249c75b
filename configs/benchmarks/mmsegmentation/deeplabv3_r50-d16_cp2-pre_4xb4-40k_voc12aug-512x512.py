# CP2's fine-tuning protocol (https://arxiv.org/abs/2203.11709): DeepLabV3
# on VOC12aug, 512 x 512 crops, 4 GPUs x 4 images, 40k iterations, SGD 0.003
# (momentum 0.9, no weight decay), poly decay to 1e-4, keeping the
# PRETRAINED ASPP head. The backbone is the pretraining's: a PLAIN-stem
# ResNet-50 (type='ResNet', not mmseg's ResNetV1c, whose deep stem our
# weights cannot fill) at output stride 16, strides (1, 2, 2, 1), dilations
# (1, 1, 1, 2), contract_dilation=True. `pretrained` is what
# `convert.py work_dirs/cp2_r50-d16_8xb32-coslr-200e_in1k/epoch_200.pth
# --to mmseg --with-head` writes: backbone.* and decode_head.* (conv_seg
# stays random). Paper (R-50, IN-1k, 200 ep): VOC 2012 mIoU 78.6.
_base_ = [
    './_base_/pascal_voc12_aug.py', './_base_/schedule_sgd_poly.py',
    './_base_/default_runtime.py'
]
pretrained = ('work_dirs/cp2_r50-d16_8xb32-coslr-200e_in1k/'
              'epoch_200_mmseg-aspp.pth')
crop_size = (512, 512)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 2),
        strides=(1, 2, 2, 1),
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    decode_head=dict(
        type='ASPPHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 6, 12, 18),
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained,
            prefix='decode_head.')),
    auxiliary_head=None,
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.003, momentum=0.9, weight_decay=0.0))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=40000,
        by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=40000, val_interval=4000)
