# DenseCL on the swin-nano demo backbone
# (configs/_base_/models/swin-nano_demo.py): densecl_r18_demo.py (views, queue
# and hooks unchanged) with the backbone swapped (its last map into the
# projector) and AdamW (adamw_demo.py).
_base_ = [
    './densecl_r18_demo.py',
    '../_base_/models/swin-nano_demo.py',
    '../_base_/schedules/adamw_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.swin_nano),
    neck=dict(in_channels=_base_.swin_nano_channels[-1]))

optim_wrapper = dict(_delete_=True, **_base_.adamw_demo)
auto_scale_lr = dict(base_batch_size=32)
