# The LARS recipe of lars_coslr-100e.py over 400 epochs: 5 warm-up epochs,
# then cosine over 395.
_base_ = ['./lars_coslr-100e.py']

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
        T_max=395,
        eta_min=1e-6,
        by_epoch=True,
        begin=5,
        end=400,
        convert_to_iter_based=True),
]

train_cfg = dict(max_epochs=400)
