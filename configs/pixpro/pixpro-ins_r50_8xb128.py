# PixPro + instance branch, ResNet-50, ImageNet-1k, 100 epochs (see
# configs/_base_/models/pixpro-ins_r50.py).
_base_ = [
    '../_base_/models/pixpro-ins_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]
