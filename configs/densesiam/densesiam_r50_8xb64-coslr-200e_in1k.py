# DenseSiam, ResNet-50, ImageNet-1k, 200 epochs. The authors released no
# pretraining recipe; this is SimSiam's ImageNet recipe (DenseSiam is built
# on SimSiam): batch 512, SGD lr 0.05 x batch / 256 (auto-scaled: 0.1 at
# 8 x 64), momentum 0.9, weight decay 1e-4, cosine over 200 epochs, the
# predictors (every parameter whose name holds 'predictor': image, pixel and
# region) at the fixed lr 0.1 (SimSiamHook), on the library's two
# coordinate-aware views (imagenet_pixpro.py, crop boxes for the overlap).
_base_ = [
    '../_base_/models/densesiam_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=64)

optim_wrapper = dict(
    optimizer=dict(lr=0.05, weight_decay=1e-4, momentum=0.9),
    paramwise_cfg=dict(custom_keys={'predictor': dict(fix_lr=True)}))

max_epochs = 200
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

# SimSiam's fixed predictor lr (0.05 x 512 / 256), set before every
# iteration (the cosine schedule would otherwise move it)
custom_hooks = [
    dict(
        type='SimSiamHook',
        priority='HIGH',
        fix_pred_lr=True,
        lr=0.1,
        adjust_by_epoch=False)
]
