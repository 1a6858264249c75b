# AdamW as MoBY pretrains Swin-T self-supervised (Xie et al., "Self-Supervised
# Learning with Swin Transformers", https://arxiv.org/abs/2105.04553; their
# repository SwinTransformer/Transformer-SSL: configs/moby_swin_tiny.yaml,
# config.py, moby_main.py, get_started.md): lr 1e-3 per 512 images (8 GPUs
# x 64, scaled linearly), betas (0.9, 0.999), eps 1e-8, weight decay 0.05,
# gradient norm clipped at 5, 300 epochs: 5 epochs of linear warm-up from
# 5e-7 then cosine to 5e-6 (both per 512 images in MoBY; here the end value
# is absolute). No weight decay on norms, biases, other 1-D tensors and the
# relative position tables (Swin's skip list, as mmpretrain's
# imagenet_bs1024_adamw_swin.py). Layer-wise lr decay is a fine-tuning
# setting (mmpretrain's LearningRateDecayOptimWrapperConstructor in the
# benchmark configs), not a pretraining one: none here.
optim_wrapper = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.05),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        bias_decay_mult=0.,
        flat_decay_mult=0.,
        custom_keys={
            '.relative_position_bias_table': dict(decay_mult=0.),
            '.absolute_pos_embed': dict(decay_mult=0.)
        }))

max_epochs = 300
warmup_epochs = 5
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=5e-7 / 1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=5e-6,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)

# MoBY's linear scaling: lr = 1e-3 x total batch / 512
auto_scale_lr = dict(base_batch_size=512, enable=True)
