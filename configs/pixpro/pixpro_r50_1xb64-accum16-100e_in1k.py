# PixPro, ResNet-50, ImageNet-1k, 100 epochs on one 24 GB GPU: 64 images per
# iteration, 16 iterations accumulated per optimiser step, so every step sees
# 1 x 64 x 16 = 1024 images as in the paper's 8 x 128; lr = 1.0 x 1024 / 256
# = 4.0 (auto_scale_lr counts the accumulation). The momentum copy takes one
# EMA step per optimiser step and its m follows the optimiser step
# (MomentumHook). BN statistics are per 64
# images (per 128 with SyncBN over 8 GPUs in the paper). Arithmetic and
# memory: README.md, "One or two small GPUs".
_base_ = ['./pixpro_r50_8xb128.py']

train_dataloader = dict(batch_size=64)
optim_wrapper = dict(accumulative_counts=16)
