# SimCLR, the recipe of mmpretrain's simclr_resnet50_16xb256-coslr-200e_in1k
# (the paper's batch 4096 = 16 GPUs x 256): LARS lr 4.8 (the paper's
# 0.3 x batch / 256, auto-scaled to the real batch), momentum 0.9, weight
# decay 1e-6, 10 warm-up epochs, then cosine to 0 over 190; 200 epochs.
# LARS skips weight decay and the trust ratio on every 1-D parameter (BN,
# biases), as mmpretrain's by-name exclusion does for a ResNet.
# Views: PixPro's two coordinate-aware views (crop boxes packed, unused)
# with SimCLR's augmentation (simclr_views.py) for both.
_base_ = [
    '../_base_/models/simclr_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/datasets/simclr_views.py',
    '../_base_/schedules/lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

crop_size = 224  # simclr_views.py's
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [
    _base_.view_pipeline, _base_.view_pipeline
]

train_dataloader = dict(batch_size=256, dataset=dict(pipeline=train_pipeline))

max_epochs = 200
warmup_epochs = 10
optim_wrapper = dict(optimizer=dict(lr=4.8, weight_decay=1e-6))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=0.0,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)

# lr 4.8 is for the total batch 4096 (0.3 per 256)
auto_scale_lr = dict(base_batch_size=4096)
