# PixPro + instance branch (PixPro paper, Sec. 3.4), alpha = 1: the model of
# pixpro_r50.py plus a per-pixel instance projector 2048-4096-256 and
# predictor 256-4096-256 on C5, then average pooling; BYOL-style loss -2 cos,
# symmetric, added with weight alpha.
_base_ = ['./pixpro_r50.py']

model = dict(
    type='PixProInstance',
    instance_neck=dict(
        type='PixelMLPNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        norm_cfg=dict(type='SyncBN')),
    instance_head=dict(
        type='InstanceBranchHead',
        in_channels=256,
        hid_channels=4096,
        out_channels=256,
        norm_cfg=dict(type='SyncBN'),
        loss_weight=1.0))
