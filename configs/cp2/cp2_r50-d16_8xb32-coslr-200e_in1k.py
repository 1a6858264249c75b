# CP2 on ImageNet-1k, the authors' README command (`--epochs 200 --lr 0.015
# -b 256`): 8 GPUs x 32 images, SGD lr 0.015 for the batch of 256 (momentum
# 0.9, weight decay 1e-4), cosine over 200 epochs, ResNet-50 at output
# stride 16 with the ASPP head.
_base_ = [
    '../_base_/models/cp2_r50.py',
    '../_base_/datasets/imagenet_cp2.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]

max_epochs = 200
optim_wrapper = dict(optimizer=dict(lr=0.015))
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
