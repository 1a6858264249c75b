# PixPro, Swin-T, ImageNet-1k, 300 epochs, 8 GPUs x 64 images (batch 512),
# bf16 mixed precision: the pixel task on Swin-T's last map (7 x 7 at
# 224 px), with the optimiser and schedule of MoBY's Swin-T
# (_base_/schedules/adamw-moby_coslr-300e.py: AdamW lr 1e-3 at 512, weight
# decay 0.05, 5 + 295 epochs) and the PixPro paper's views and momentum.
_base_ = [
    '../_base_/models/pixpro_swin-tiny.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/adamw-moby_coslr-300e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=64)

# stochastic depth draws from torch's global generator, which a checkpoint
# does not hold: re-seeding it from (seed, iteration, rank) before every
# step makes a resumed run draw what the uninterrupted run drew
custom_hooks = _base_.custom_hooks + [dict(type='IterationSeedHook')]
