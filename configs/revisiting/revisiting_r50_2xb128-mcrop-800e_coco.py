# "Revisiting Contrastive SSL" on COCO train2017 for 800 epochs (the
# authors' scripts/ours_coco_800ep.sh): the 200-epoch recipe, longer.
_base_ = ['./revisiting_r50_2xb128-mcrop-200e_coco.py']

max_epochs = 800
param_scheduler = [
    dict(_base_.param_scheduler[0], T_max=max_epochs, end=max_epochs)
]
train_cfg = dict(max_epochs=max_epochs)
