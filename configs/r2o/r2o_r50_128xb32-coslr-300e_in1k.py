# R2O's ImageNet recipe (the authors' config/train_imagenet_300.yaml):
# ResNet-50, 300 epochs, 128 GPUs x 32 = 4096 images per step, LARS base lr
# 0.3 per 256, wd 1e-6, 3 warm-up epochs, tau 0.99 -> 1, 224 px, SyncBN, fp32,
# K 128 -> 4 (configs/_base_/models/r2o_r50.py).
_base_ = [
    '../_base_/models/r2o_r50.py',
    '../_base_/datasets/imagenet_r2o.py',
    '../_base_/schedules/lars-r2o_coslr-300e.py',
    '../_base_/default_runtime.py',
]
