# LARS, lr 1.0 per 256 images (auto-scaled to the real batch), 5-epoch linear
# warm-up from lr/100, then per-iteration cosine to 1e-6; bf16 autocast on
# GPU (tools/train.py falls back to fp32 on a CPU-only host).
# NonFiniteSkipAmpOptimWrapper: mmengine's AmpOptimWrapper that skips the step
# of a NaN/inf loss (on all ranks).
optim_wrapper = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='PixProLARS',
        lr=1.0,
        momentum=0.9,
        weight_decay=1e-5,
        eta=0.001,
        eps=1e-8,
        exclude_1d=True))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=95,
        eta_min=1e-6,
        by_epoch=True,
        begin=5,
        end=100,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)

# lr = 1.0 x batch / 256 (= 4.0 at 8 GPUs x 128)
auto_scale_lr = dict(base_batch_size=256, enable=True)
