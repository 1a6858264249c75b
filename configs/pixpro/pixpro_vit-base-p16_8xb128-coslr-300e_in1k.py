# PixPro, ViT-B/16 (mmpretrain arch 'deit-base': 768 channels, 12 layers,
# 12 heads), ImageNet-1k, 300 epochs, batch 1024 (8 x 128): as
# pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py with a 768-4096-256
# projector and the same DINO AdamW recipe (DINO's defaults, which its ViT-B
# runs also start from; its README lowers the lr of larger ViTs and clips
# harder, --clip_grad 0.3 ~ 1.0 in main_dino.py's help: lower them here if a
# run is unstable).
_base_ = ['./pixpro_vit-small-p16_8xb128-coslr-300e_in1k.py']

model = dict(
    backbone=dict(arch='deit-base'),
    neck=dict(in_channels=768))
