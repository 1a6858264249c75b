# PixPro, ResNet-50, ImageNet-1k, 100 epochs, 8 GPUs x 128 images (batch 1024),
# bf16 mixed precision: the paper's recipe.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]
