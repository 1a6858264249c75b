# PixPro + instance branch on the CPU demo (ResNet-18, 128 px, data/demo/).
_base_ = ['./pixpro_r18_demo.py']

model = dict(
    type='PixProInstance',
    instance_neck=dict(
        type='PixelMLPNeck',
        in_channels=512,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN')),
    instance_head=dict(
        type='InstanceBranchHead',
        in_channels=256,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN'),
        loss_weight=1.0))
