# PixPro, ResNet-50, ImageNet-1k, 100 epochs, 8 GPUs x 128 images (batch 1024),
# bf16 mixed precision: the paper's recipe.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=128)

# bf16 autocast on GPU (tools/train.py falls back to fp32 on a CPU-only host)
optim_wrapper = dict(type='GuardedAmpOptimWrapper', dtype='bfloat16')

# momentum m = 1 - (1 - 0.99)(cos(pi k / K) + 1) / 2, from the global iteration
custom_hooks = [dict(type='CosineMomentumHook')]

default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
