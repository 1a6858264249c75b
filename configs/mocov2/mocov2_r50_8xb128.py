# MoCo v2 on the PixPro pipeline: mmpretrain's MoCo with the v2 neck,
# ResNet-50, the same two coordinate-aware views (crop boxes unused), batch,
# epochs and bf16 as configs/pixpro/pixpro_r50_8xb128.py. The optimiser is
# MoCo v2's own (SGD, configs/_base_/schedules/sgd_coslr-100e.py); use
# lars_coslr-100e.py instead to change nothing but the loss. The key
# encoder's momentum is constant (MomentumHook without a schedule).
_base_ = [
    '../_base_/models/mocov2_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]
