# AdamW, linear warm-up 1500 iterations then linear (power 1) decay to 0 at
# 160k: the schedule of mmseg's ViT and Swin UPerNet configs
# (vit_vit-b16_mln_upernet_8xb2-160k_ade20k-512x512.py, swin-tiny-patch4-
# window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py: lr 6e-5, weight
# decay 0.01, none on position embeddings, relative position tables and
# norms).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys=dict(
            pos_embed=dict(decay_mult=0.),
            cls_token=dict(decay_mult=0.),
            absolute_pos_embed=dict(decay_mult=0.),
            relative_position_bias_table=dict(decay_mult=0.),
            norm=dict(decay_mult=0.))))
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
        end=1500),
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=1.0,
        begin=1500,
        end=160000,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=160000, val_interval=16000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
