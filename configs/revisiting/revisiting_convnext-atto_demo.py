# "Revisiting" multi-crop MoCo (its kNN on backbone features of the last map)
# on the convnext-atto demo backbone
# (configs/_base_/models/convnext-atto_demo.py): revisiting_r18_demo.py (views,
# queue and hooks unchanged) with the backbone swapped (its last map into the
# projector) and AdamW (adamw_demo.py).
_base_ = [
    './revisiting_r18_demo.py',
    '../_base_/models/convnext-atto_demo.py',
    '../_base_/schedules/adamw_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.convnext_atto),
    neck=dict(in_channels=_base_.convnext_atto_channels[-1]),
    head=dict(backbone_dim=_base_.convnext_atto_channels[-1]))

optim_wrapper = dict(_delete_=True, **_base_.adamw_demo)
auto_scale_lr = dict(base_batch_size=32)
