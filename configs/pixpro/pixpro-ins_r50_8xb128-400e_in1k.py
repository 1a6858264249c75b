# PixPro + instance branch, ResNet-50, ImageNet-1k, 400 epochs (5 warm-up +
# 395 cosine): the paper's COCO FPN 1x 41.4 bbox AP model.
_base_ = ['./pixpro-ins_r50_8xb128.py']

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
