# SwAV's LARS over the 12 epochs of the CPU demo (lars_coslr-12e.py: 1
# warm-up epoch, then cosine): LARS on every parameter (the authors' LARC
# wraps all of them, BN and biases included), lr 0.6 per 256 images
# (auto-scaled to the real batch), momentum 0.9, wd 1e-6, fp32 (Sinkhorn's
# exp(scores / 0.05) would multiply bf16 rounding of the scores by 20).
# NonFiniteSkipOptimWrapper: mmengine's OptimWrapper that skips the step of
# a NaN/inf loss.
_base_ = ['./lars_coslr-12e.py']

optim_wrapper = dict(
    _delete_=True,
    type='NonFiniteSkipOptimWrapper',
    optimizer=dict(
        type='PixProLARS',
        lr=0.6,
        momentum=0.9,
        weight_decay=1e-6,
        eta=0.001,
        exclude_1d=False))
