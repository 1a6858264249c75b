# SwAV's LARS (lars-swav_coslr-12e.py) in mmpretrain's 200-epoch SwAV
# recipe: per-iteration cosine from lr 0.6 to 6e-4 over 200 epochs without
# warm-up; lr 0.6 at batch 256, scaled linearly for another batch
# (auto_scale_lr of lars_coslr-100e.py).
_base_ = ['./lars-swav_coslr-12e.py']

max_epochs = 200
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min=6e-4,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs)
