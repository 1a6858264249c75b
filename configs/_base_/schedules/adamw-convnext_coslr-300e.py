# AdamW as ConvNeXt trains (Liu et al., "A ConvNet for the 2020s",
# https://arxiv.org/abs/2201.03545, Appendix A, Table 5, ImageNet-1k; as
# mmpretrain's convnext-tiny_32xb128_in1k.py): lr 4e-3 per 4096 images
# (scaled linearly: 1e-3 at 1024), betas (0.9, 0.999), eps 1e-8, weight
# decay 0.05, 300 epochs: 20 epochs of linear warm-up, then cosine to 1e-6;
# no gradient clipping. No weight decay on norms, biases and other 1-D
# tensors (the layer-scale gammas): ConvNeXt's training code skips every
# tensor of one dimension. The paper's is a supervised recipe: no
# self-supervised ConvNeXt recipe of the contrastive kind is published
# (ConvNeXt V2's FCMAE is masked-image modelling); its optimiser is what a
# ConvNeXt user expects. Layer-wise lr decay is a fine-tuning setting
# (mmpretrain's LearningRateDecayOptimWrapperConstructor): none here.
optim_wrapper = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=4e-3, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.))

max_epochs = 300
warmup_epochs = 20
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=1e-6,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)

# the paper's linear scaling: lr = 4e-3 x total batch / 4096
auto_scale_lr = dict(base_batch_size=4096, enable=True)
