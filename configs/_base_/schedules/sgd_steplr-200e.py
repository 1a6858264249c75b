# MoCo v1's optimiser (the authors' main_moco.py defaults): SGD, lr 0.03 per
# 256 images (auto-scaled to the real batch), momentum 0.9, weight decay
# 1e-4, 200 epochs, lr x 0.1 at epochs 120 and 160; bf16 autocast on GPU as
# in the other schedules (tools/train.py falls back to fp32 on a CPU host).
_base_ = ['./sgd_coslr-100e.py']

max_epochs = 200
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[120, 160], gamma=0.1)
]

train_cfg = dict(max_epochs=max_epochs)
