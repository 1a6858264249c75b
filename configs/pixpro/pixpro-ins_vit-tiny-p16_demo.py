# PixPro + instance branch demo on ViT-Ti/16: the backbone returns the patch
# map (pixel projector, in_index=0) and the class token as a 1 x 1 map
# (instance projector, in_index=1; ViTPatchAndClassMaps, mmpretrain's ViT
# with the same parameters), so the instance branch reads the class token
# as ViT instance methods do, where the ResNet recipe pools C5.
_base_ = ['./pixpro_vit-tiny-p16_demo.py']

model = dict(
    type='PixProInstance',
    backbone=dict(_delete_=True, **_base_.vit_tiny_maps),
    neck=dict(in_index=0),
    instance_neck=dict(
        type='PixelMLPNeck',
        in_channels=_base_.vit_tiny_channels,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN'),
        in_index=1),
    instance_head=dict(
        type='InstanceBranchHead',
        in_channels=256,
        hid_channels=1024,
        out_channels=256,
        norm_cfg=dict(type='BN'),
        loss_weight=1.0))
