# PixPro + instance branch, ResNet-50, ImageNet-1k, 400 epochs.
_base_ = [
    '../_base_/models/pixpro-ins_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/lars_coslr-400e.py',
    '../_base_/default_runtime.py',
]
