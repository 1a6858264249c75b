# The SGD recipe of sgd_coslr-100e.py over the 12 epochs of the CPU demo.
_base_ = ['./sgd_coslr-100e.py']

max_epochs = 12
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]

train_cfg = dict(max_epochs=max_epochs)
