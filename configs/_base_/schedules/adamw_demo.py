# AdamW for the Swin / ConvNeXt CPU demos (batch 32, 12 epochs): the
# optimiser of configs/_base_/schedules/adamw-moby_coslr-300e.py (AdamW,
# weight decay 0.05 on weight matrices and kernels only, gradient norm
# clipped at 5) at lr 1e-3 for the demo's batch of 32 (no linear scaling
# down from 512: 84 steps at 6e-5 would not move the weights). A demo takes
# it over its ResNet-18 demo's optimiser, keeping that demo's LR schedule
# (warm-up and cosine are factors of this lr):
#     optim_wrapper = dict(_delete_=True, **_base_.adamw_demo)
#     auto_scale_lr = dict(base_batch_size=32)
adamw_demo = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.05),
    clip_grad=dict(max_norm=5.0),
    # no decay on norms, biases, every other 1-D tensor (ConvNeXt's layer
    # scale) and Swin's relative position tables
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        bias_decay_mult=0.,
        flat_decay_mult=0.,
        custom_keys={
            '.relative_position_bias_table': dict(decay_mult=0.),
            '.absolute_pos_embed': dict(decay_mult=0.)
        }))
