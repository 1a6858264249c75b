# BYOL on the PixPro pipeline: mmpretrain's BYOL, ResNet-50, the same two
# coordinate-aware views (their crop boxes are packed and simply unused), the
# same LARS schedule, batch, epochs and bf16 as
# configs/pixpro/pixpro_r50_8xb128.py. Only the algorithm differs; the
# momentum copy and its schedule (MomentumHook) are PixPro's.
_base_ = [
    '../_base_/models/byol_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]
