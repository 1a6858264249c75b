# PixPro, ResNet-50, ImageNet-1k, 100 epochs on two 24 GB GPUs: 64 images per
# GPU and iteration, 8 iterations accumulated per optimiser step, so every
# step sees 2 x 64 x 8 = 1024 images as in the paper's 8 x 128; lr = 1.0 x
# 1024 / 256 = 4.0 (auto_scale_lr counts the accumulation). One EMA step of
# the momentum copy per optimiser step, m from the optimiser step. SyncBN
# over the 2 GPUs: BN statistics per 128 images. Arithmetic and memory:
# README.md, "One or two small GPUs".
_base_ = ['./pixpro_r50_8xb128.py']

train_dataloader = dict(batch_size=64)
optim_wrapper = dict(accumulative_counts=8)
