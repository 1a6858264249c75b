# The LARS recipe of lars_coslr-100e.py over the 12 epochs of the CPU demo:
# 1 warm-up epoch, then cosine over 11.
_base_ = ['./lars_coslr-100e.py']

max_epochs = 12
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - 1,
        eta_min=1e-6,
        by_epoch=True,
        begin=1,
        end=max_epochs,
        convert_to_iter_based=True),
]

train_cfg = dict(max_epochs=max_epochs)
