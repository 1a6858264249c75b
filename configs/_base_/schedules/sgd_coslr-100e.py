# MoCo v2's optimiser: SGD, lr 0.03 per 256 images (auto-scaled to the real
# batch), momentum 0.9, weight decay 1e-4, per-iteration cosine over 100
# epochs; bf16 autocast on GPU as in the LARS recipe.
optim_wrapper = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-4))

max_epochs = 100
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)

auto_scale_lr = dict(base_batch_size=256, enable=True)
