# PixPro, ViT-S/16, ImageNet-1k, 300 epochs, batch 1024 (8 x 128): the
# paper's PixPro (momentum 0.99 -> 1, PPM, T = 0.7, views of
# imagenet_pixpro.py) with the optimiser ViT users expect: DINO's AdamW
# pretraining recipe (lr 5e-4 x 1024 / 256 = 2e-3, 10 warm-up epochs, cosine
# to 1e-6, weight decay 0.04 -> 0.4, no decay on biases and norms, gradient
# clipping 3.0, drop path 0.1):
# configs/_base_/schedules/adamw-dino_coslr-300e.py.
# Not run by the PixPro authors (ResNet only): no reference numbers.
_base_ = [
    '../_base_/models/pixpro_vit-small-p16.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/adamw-dino_coslr-300e.py',
    '../_base_/default_runtime.py',
]

# stochastic depth draws from torch's global generator, which a checkpoint
# does not hold: re-seeding it from (seed, iteration, rank) before every
# step makes a resumed run draw what the uninterrupted run drew
custom_hooks = _base_.custom_hooks + [dict(type='IterationSeedHook')]
