# PixPro, ResNet-50, COCO train2017 (118,287 unlabelled images), 400 epochs,
# 8 GPUs x 128 images: the paper's ImageNet recipe (LARS, lr 1.0 x
# batch / 256, 5 warm-up epochs, cosine, momentum 0.99 -> 1, bf16) on
# scene-centric data. Not a paper recipe: the authors pretrain on ImageNet-1k
# only. 400 epochs = 4 x the 100 ImageNet epochs for a set about 10 x
# smaller, DenseCL's COCO practice (800 COCO epochs against 200 on
# ImageNet): 115 iterations per epoch, 46,000 optimiser steps, about 37 %
# of the 125,100 steps of pixpro_r50_8xb128.py (README.md, "PixPro on COCO").
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/coco_pixpro.py',
    '../_base_/schedules/lars_coslr-400e.py',
    '../_base_/default_runtime.py',
]
