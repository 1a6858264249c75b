# The ResNet-50 linear evaluation, scaled to a CPU run on the
# classification demo set (tools/dataset_converters/build_cls_demo_set.py
# --out data/cls_demo: 11 classes, 20 train / 10 val images per class,
# 160 px) and the ResNet-18 of configs/pixpro/pixpro_r18_demo.py:
#   python tools/model_converters/convert.py \
#       work_dirs/pixpro_r18_demo/epoch_12.pth --to mmpretrain
# Same model and step schedule (lr / 10 at 60 % and 80 % of the epochs),
# 12 epochs of 1 x 32 images at 128 px. SGD lr 0.1 instead of 30: MoCo's
# lr 30 suits MoCo's small pooled features; on the demo PixPro ResNet-18
# it gave a cross-entropy of 1,300 after epoch 1 and 370 after epoch 12
# (measured; lr 0.1: 2.9 -> 2.0).
_base_ = './resnet50_pixpro-pre_8xb32-linear-steplr-100e_in1k.py'
model = dict(
    backbone=dict(
        depth=18,
        init_cfg=dict(
            checkpoint='work_dirs/pixpro_r18_demo/epoch_12_mmpretrain.pth')),
    head=dict(num_classes=11, in_channels=512, topk=(1, 5)))
data_preprocessor = dict(num_classes=11)
optim_wrapper = dict(optimizer=dict(lr=0.1))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=128, backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=146, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=128),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/cls_demo',
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/cls_demo',
        ann_file='meta/val.txt',
        data_prefix='val',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[7, 10], gamma=0.1)
]
train_cfg = dict(max_epochs=12, val_interval=12)
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=12, max_keep_ckpts=1))
