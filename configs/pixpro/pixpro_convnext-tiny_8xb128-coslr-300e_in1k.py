# PixPro, ConvNeXt-T, ImageNet-1k, 300 epochs, 8 GPUs x 128 images (batch
# 1024, the PixPro paper's), bf16 mixed precision: the pixel task on
# ConvNeXt-T's last map (7 x 7 at 224 px), with ConvNeXt's optimiser and
# schedule (_base_/schedules/adamw-convnext_coslr-300e.py: AdamW lr 4e-3 per
# 4096 images, i.e. 1e-3 here, weight decay 0.05, 20 + 280 epochs) and the
# PixPro paper's views and momentum.
_base_ = [
    '../_base_/models/pixpro_convnext-tiny.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/adamw-convnext_coslr-300e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=128)

# stochastic depth draws from torch's global generator, which a checkpoint
# does not hold: re-seeding it from (seed, iteration, rank) before every
# step makes a resumed run draw what the uninterrupted run drew
custom_hooks = _base_.custom_hooks + [dict(type='IterationSeedHook')]
