# The cheaper protocol: VOC12aug FCN-D8 on the PixPro ResNet-50, 512 x 512
# crops, 4 GPUs x 4 images, 20k iterations. The paper reports no number
# for it; compare against an ImageNet-supervised ResNet-50 run alike.
_base_ = [
    './_base_/fcn_r50-d8_pixpro.py', './_base_/pascal_voc12_aug.py',
    './_base_/schedule_sgd_poly.py', './_base_/default_runtime.py'
]
crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=20000,
        by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=20000, val_interval=2000)
