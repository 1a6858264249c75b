# R2O's optimiser (config/train_imagenet_300.yaml of the authors): LARS,
# base lr 0.3 per 256 images (auto-scaled: 4.8 at 4096), momentum 0.9,
# wd 1e-6, biases and BN excluded (every 1-D parameter), fp32 (apex O0);
# 3 warm-up epochs from ~0, then a cosine to 0 over 297 epochs, per iteration.
optim_wrapper = dict(
    type='NonFiniteSkipOptimWrapper',
    optimizer=dict(
        type='PixProLARS',
        lr=0.3,
        momentum=0.9,
        weight_decay=1e-6,
        eta=0.001,
        eps=1e-8,
        exclude_1d=True))

max_epochs = 300
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - 3,
        eta_min=0.,
        by_epoch=True,
        begin=3,
        end=max_epochs,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=256, enable=True)
